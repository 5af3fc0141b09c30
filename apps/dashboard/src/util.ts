import { useEffect, useRef, useState } from "preact/hooks";

export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  if (n < 1024) return `${n} B`;
  const u = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${u[i]}`;
}

export const fmtCount = (n: number) => new Intl.NumberFormat().format(n);

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 31536000],
  ["month", 2592000],
  ["week", 604800],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

export function toMs(t: string | number): number {
  // numbers from the API are unix seconds (commit times), strings ISO-8601
  return typeof t === "number" ? t * 1000 : Date.parse(t);
}

export function relTime(t: string | number | null | undefined, now = Date.now()): string {
  if (t === null || t === undefined) return "never";
  const ms = toMs(t);
  if (!Number.isFinite(ms)) return "–";
  const s = Math.round((ms - now) / 1000);
  if (Math.abs(s) < 10) return s > 0 ? "in a few seconds" : "just now";
  for (const [unit, secs] of UNITS) if (Math.abs(s) >= secs || unit === "second") return rtf.format(Math.trunc(s / secs), unit);
  return "";
}

export function absTime(t: string | number | null | undefined): string {
  if (t === null || t === undefined) return "";
  const ms = toMs(t);
  return Number.isFinite(ms) ? new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" }) : "";
}

export const shortHash = (h: string) => h.slice(0, 7);
export const firstLine = (m: string) => m.split("\n", 1)[0] ?? "";
export const branchName = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, "");

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Fallback for browsers without the async clipboard on this origin.
    const ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand("copy");
    ta.remove();
    return ok;
  }
}

export interface AsyncState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Run `fn` when `deps` change (aborting the previous run). Data is cleared when deps change, and
 * kept while a reload() refreshes it, so polling does not flicker.
 */
export function useAsync<T>(fn: (signal: AbortSignal) => Promise<T>, deps: unknown[]): AsyncState<T> {
  const key = JSON.stringify(deps);
  const [tick, setTick] = useState(0);
  const [state, set] = useState<{ key: string; data?: T; error?: Error; loading: boolean }>({ key, loading: true });
  useEffect(() => {
    const ac = new AbortController();
    set((s) => (s.key === key ? { ...s, loading: true } : { key, loading: true }));
    fn(ac.signal).then(
      (data) => !ac.signal.aborted && set({ key, data, loading: false }),
      (error: Error) =>
        !ac.signal.aborted && error.name !== "AbortError" && set((s) => ({ key, ...(s.key === key ? { data: s.data } : {}), error, loading: false })),
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick]);
  const fresh = state.key === key;
  return {
    data: fresh ? state.data : undefined,
    error: fresh ? state.error : undefined,
    loading: !fresh || state.loading,
    reload: () => setTick((t) => t + 1),
  };
}

/** setInterval that pauses while the tab is hidden. */
export function useInterval(fn: () => void, ms: number | null) {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (ms === null) return;
    const id = setInterval(() => {
      if (document.visibilityState === "visible") saved.current();
    }, ms);
    return () => clearInterval(id);
  }, [ms]);
}

export function useTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · Artifacts emulator` : "Artifacts emulator";
  }, [title]);
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, set] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => set(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}
