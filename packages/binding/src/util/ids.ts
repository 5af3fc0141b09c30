/** Repo and token ids: 16 characters of [0-9a-z] (docs/contract.md "Result shapes", "Repo tokens"). */
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

export function randomId(len = 16): string {
  const bytes = crypto.getRandomValues(new Uint8Array(len));
  let s = "";
  // 252 = 7 * 36: reject the top values so every character is equally likely
  for (let i = 0; s.length < len; i++) {
    if (i >= bytes.length) return s + randomId(len - s.length);
    if (bytes[i]! < 252) s += ALPHABET[bytes[i]! % 36];
  }
  return s;
}

export function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export const nowIso = (ms = Date.now()) => new Date(ms).toISOString();
