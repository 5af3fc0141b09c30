/**
 * Which hosts an import may connect to (docs/contract-choices.md, import addresses): public
 * addresses always; loopback and private, link-local and other non-public ranges only when
 * IMPORT_ALLOW_ADDRESSES says so. IP literals are classified directly (the URL parser has already
 * normalised forms like `http://2130706433/`); other names are resolved over DNS-over-HTTPS and
 * every address they resolve to must be allowed.
 */
import { ipAllowed } from "../auth/cidr.js";
import { ArtifactsError } from "../errors.js";

export type AddressClass = "public" | "loopback" | "private";

const LOOPBACK = ["127.0.0.0/8", "::1/128"];
const NON_PUBLIC = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "224.0.0.0/3",
  "::/128",
  "fc00::/7",
  "fe80::/10",
  "ff00::/8",
];

/** An IPv4-mapped IPv6 address in the URL parser's hex form (::ffff:7f00:1) as dotted IPv4. */
function unmap(ip: string): string {
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (!m) return ip;
  const hi = parseInt(m[1]!, 16);
  const lo = parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export function classifyAddress(ip: string): AddressClass {
  const a = unmap(ip.replace(/^\[|\]$/g, ""));
  if (ipAllowed(a, LOOPBACK)) return "loopback";
  if (ipAllowed(a, NON_PUBLIC)) return "private";
  return "public";
}

const isIpLiteral = (host: string) => /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith("[");

function permitted(c: AddressClass, mode: string): boolean {
  return c === "public" || (c === "loopback" && (mode === "loopback" || mode === "private")) || (c === "private" && mode === "private");
}

const refused = () =>
  new ArtifactsError("INVALID_URL", "The import URL points to a loopback, private or link-local address, which this service does not import from.");

/** Addresses a name resolves to (A and AAAA), over DNS-over-HTTPS. */
async function resolve(name: string, dohUrl: string): Promise<string[]> {
  const out: string[] = [];
  for (const type of ["A", "AAAA"]) {
    const res = await fetch(`${dohUrl}?name=${encodeURIComponent(name)}&type=${type}`, { headers: { Accept: "application/dns-json" } });
    if (!res.ok) throw new ArtifactsError("UPSTREAM_UNAVAILABLE", "The upstream service is unavailable. Please retry.");
    const body = (await res.json()) as { Answer?: Array<{ type: number; data: string }> };
    for (const a of body.Answer ?? []) if (a.type === 1 || a.type === 28) out.push(a.data);
  }
  return out;
}

/** Refuse (INVALID_URL) an import URL whose host is, or resolves to, an address not allowed. */
export async function checkImportHost(url: URL, env: { IMPORT_ALLOW_ADDRESSES?: string; IMPORT_DNS_URL?: string }): Promise<void> {
  const mode = env.IMPORT_ALLOW_ADDRESSES ?? "none";
  if (mode === "private") return;
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) {
    if (!permitted("loopback", mode)) throw refused();
    return;
  }
  if (isIpLiteral(host)) {
    if (!permitted(classifyAddress(host), mode)) throw refused();
    return;
  }
  const addresses = await resolve(host, env.IMPORT_DNS_URL ?? "https://cloudflare-dns.com/dns-query");
  if (addresses.some((a) => !permitted(classifyAddress(a), mode))) throw refused();
}
