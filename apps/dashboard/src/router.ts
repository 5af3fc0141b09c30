/**
 * History routing under /cdn-cgi/artifacts/: every view has a real URL that can be reloaded and
 * shared (the Worker answers every page path with the app). Refs and path segments are
 * percent-encoded one segment at a time, so "feature/x" stays one segment.
 */
import { useEffect, useState } from "preact/hooks";

export const BASE = "/cdn-cgi/artifacts";

export interface Location {
  /** Path below BASE, starting with "/". */
  path: string;
  /** Decoded segments of `path`. */
  segs: string[];
  query: URLSearchParams;
}

function read(): Location {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) || "/" : "/";
  const segs = p
    .split("/")
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { path: p, segs, query: new URLSearchParams(location.search) };
}

const EVENT = "artifacts:route";

/** An app path (below BASE, may carry ?query) as an href. */
export function href(path: string): string {
  return BASE + (path.startsWith("/") ? path : `/${path}`);
}

/** Build an app path from raw segments (each is encoded) and optional query. */
export function pathOf(segs: Array<string | undefined>, query?: Record<string, string | number | undefined | null | false>): string {
  const p =
    "/" +
    segs
      .filter((s): s is string => s !== undefined && s !== "")
      .map(encodeURIComponent)
      .join("/");
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== false && v !== "") q.set(k, String(v));
  const qs = q.toString();
  return qs ? `${p}?${qs}` : p;
}

/** A repository-relative file path as segments (each encoded by pathOf). */
export const pathSegs = (p: string) => p.split("/").filter(Boolean);

export function navigate(path: string, opts: { replace?: boolean } = {}) {
  const url = href(path);
  if (url === location.pathname + location.search && !opts.replace) return;
  if (opts.replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  window.scrollTo(0, 0);
  dispatchEvent(new Event(EVENT));
}

export function useLocation(): Location {
  const [loc, set] = useState(read);
  useEffect(() => {
    const update = () => set(read());
    addEventListener("popstate", update);
    addEventListener(EVENT, update);
    return () => {
      removeEventListener("popstate", update);
      removeEventListener(EVENT, update);
    };
  }, []);
  return loc;
}

/** Same-origin links under BASE navigate without a reload (plain clicks only). */
export function interceptLinks() {
  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.("a[href]") as HTMLAnchorElement | null;
    if (!a || a.target || a.hasAttribute("download") || a.origin !== location.origin || !a.pathname.startsWith(BASE)) return;
    if (a.hash && a.pathname === location.pathname && a.search === location.search) return; // an anchor on this page
    e.preventDefault();
    navigate(a.pathname.slice(BASE.length) + a.search);
  });
}
