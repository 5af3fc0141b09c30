/** Browser-safe content types for readFile and the raw route (docs/contract.md "Repo handle"). */
const BY_EXT: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  ico: "image/x-icon",
  pdf: "application/pdf",
};

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function contentTypeFor(path: string, data: Uint8Array): string {
  const dot = path.lastIndexOf(".");
  const ext = dot >= 0 ? path.slice(dot + 1).toLowerCase() : "";
  if (BY_EXT[ext]) return BY_EXT[ext]!;
  const sample = data.subarray(0, 8192);
  if (sample.includes(0)) return "application/octet-stream";
  try {
    strict.decode(sample, { stream: data.length > 8192 });
    return "text/plain;charset=utf-8";
  } catch {
    return "application/octet-stream";
  }
}
