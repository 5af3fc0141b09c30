/** Client-IP allow-lists for API tokens: IPv4 and IPv6 CIDRs or single addresses. */
function parseV4(ip: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n);
}

function parseV6(ip: string): bigint | undefined {
  if (!ip.includes(":")) return undefined;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  let s = ip;
  if (v4) {
    const n = parseV4(v4[1]!);
    if (n === undefined) return undefined;
    s = ip.slice(0, -v4[1]!.length) + ((n >> 16n) & 0xffffn).toString(16) + ":" + (n & 0xffffn).toString(16);
  }
  const [head, tail] = s.split("::");
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail ? tail.split(":") : [];
  if (s.split("::").length > 2) return undefined;
  const fill = s.includes("::") ? 8 - h.length - t.length : 0;
  const groups = [...h, ...Array(fill).fill("0"), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function isValidCidr(c: string): boolean {
  const [ip, bits] = c.split("/");
  const v4 = parseV4(ip!);
  const max = v4 !== undefined ? 32 : parseV6(ip!) !== undefined ? 128 : -1;
  if (max < 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= max);
}

export function ipAllowed(ip: string, cidrs: readonly string[]): boolean {
  const mapped = ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
  for (const c of cidrs) {
    const [net, bitsS] = c.split("/");
    const a4 = parseV4(mapped);
    const n4 = parseV4(net!);
    if (a4 !== undefined && n4 !== undefined) {
      const bits = BigInt(bitsS === undefined ? 32 : Number(bitsS));
      const mask = bits === 0n ? 0n : ((1n << bits) - 1n) << (32n - bits);
      if ((a4 & mask) === (n4 & mask)) return true;
      continue;
    }
    const a6 = parseV6(ip);
    const n6 = parseV6(net!);
    if (a6 !== undefined && n6 !== undefined) {
      const bits = BigInt(bitsS === undefined ? 128 : Number(bitsS));
      const mask = bits === 0n ? 0n : ((1n << bits) - 1n) << (128n - bits);
      if ((a6 & mask) === (n6 & mask)) return true;
    }
  }
  return false;
}
