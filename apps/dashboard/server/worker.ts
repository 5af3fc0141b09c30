/**
 * The dashboard's Worker, run by the emulator next to the service Worker and routed for
 * /cdn-cgi/artifacts/*: the page and its two assets (embedded at build time), the one-time
 * session exchange (handed to the emulator's Node side), and the service's own health route.
 * It reads no data itself: the page calls the public REST API on the same origin.
 */
import assets from "virtual:assets";

interface Env {
  /** The Artifacts service Worker (health, and anything under the prefix that is not ours). */
  API: Fetcher;
  /** The emulator process: trades a one-time session code for the operator credential. */
  SESSION: Fetcher;
}

const BASE = "/cdn-cgi/artifacts";

/** Only our own script, style and the images the page makes from blobs; no framing, no referrer. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const COMMON = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

function plain(status: number, text: string, extra: Record<string, string> = {}): Response {
  return new Response(text + "\n", { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...COMMON, ...extra } });
}

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname;
    if (path === BASE) return new Response(null, { status: 308, headers: { Location: `${BASE}/${url.search}` } });
    if (!path.startsWith(`${BASE}/`)) return env.API.fetch(req);
    const rest = path.slice(BASE.length + 1);
    if (rest === "health") return env.API.fetch(req);
    if (rest === "session") {
      if (req.method !== "POST") return plain(405, "Method not allowed", { Allow: "POST" });
      // Same-origin page only (Miniflare has already refused non-local Host and Origin headers).
      const origin = req.headers.get("Origin");
      if (origin !== null && origin !== url.origin) return plain(403, "Cross-origin session requests are refused");
      if (!(req.headers.get("Content-Type") ?? "").startsWith("application/json")) return plain(415, "Send application/json");
      return env.SESSION.fetch(req);
    }
    if (req.method !== "GET" && req.method !== "HEAD") return plain(405, "Method not allowed", { Allow: "GET, HEAD" });
    if (rest.startsWith("assets/")) {
      const a = assets.files[rest];
      if (!a) return plain(404, "Not found");
      return new Response(req.method === "HEAD" ? null : a.body, {
        headers: { "Content-Type": a.type, "Cache-Control": "public, max-age=31536000, immutable", ...COMMON },
      });
    }
    // Every other path is a page of the app (history routing): the same HTML, never cached.
    return new Response(req.method === "HEAD" ? null : assets.html, {
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Content-Security-Policy": CSP,
        "X-Frame-Options": "DENY",
        ...COMMON,
      },
    });
  },
};
