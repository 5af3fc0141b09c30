/**
 * Keyboard navigation. Lists mark their rows' main links with data-nav-link; j/k move focus among
 * them and Enter follows the focused one (a real link, so it is native). Other keys click marked
 * controls: u (data-nav-up), [ and ] (data-nav-prev / data-nav-next), / (data-search), b (data-nav-ref).
 */
import { useEffect } from "preact/hooks";
import { navigate, pathOf } from "./router.js";

export const SHORTCUTS: Array<[string, string]> = [
  ["/", "Search or filter the current list"],
  ["j / k", "Next / previous item in a list"],
  ["Enter", "Open the focused item"],
  ["u", "Up one directory (in a tree or file)"],
  ["[ / ]", "Previous / next page"],
  ["b", "Choose a branch or tag"],
  ["g n", "Go to namespaces"],
  ["g r", "Go to the current namespace's repositories"],
  ["g a", "Go to activity"],
  ["g t", "Go to API tokens"],
  ["?", "Show this help"],
  ["Esc", "Close a dialog, leave a text field"],
];

function typing(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

function visible(el: Element): boolean {
  return (el as HTMLElement).offsetParent !== null || (el as HTMLElement).getClientRects().length > 0;
}

function move(delta: number) {
  const links = [...document.querySelectorAll<HTMLElement>("main [data-nav-link]")].filter(visible);
  if (links.length === 0) return;
  const i = links.indexOf(document.activeElement as HTMLElement);
  const next = links[i < 0 ? (delta > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, i + delta))]!;
  next.focus();
  next.scrollIntoView({ block: "nearest" });
}

function click(sel: string) {
  const el = [...document.querySelectorAll<HTMLElement>(`main ${sel}`)].find((e) => visible(e) || e.hidden);
  el?.click();
}

export function useKeys(opts: { help: () => void; namespace: () => string }) {
  useEffect(() => {
    let g = 0;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (typing(e.target)) {
        if (e.key === "Escape" && !(e.target as HTMLElement).closest("dialog")) (e.target as HTMLElement).blur();
        return;
      }
      if (document.querySelector("dialog[open]")) return;
      const now = Date.now();
      if (now - g < 1500) {
        g = 0;
        const to = { n: "/", a: pathOf(["ns", opts.namespace(), "activity"]), t: "/api-tokens", r: pathOf(["ns", opts.namespace()]) }[e.key];
        if (to) {
          e.preventDefault();
          navigate(to);
        }
        return;
      }
      switch (e.key) {
        case "g":
          g = now;
          return;
        case "/": {
          const s = document.querySelector<HTMLElement>("main [data-search]");
          if (s) {
            e.preventDefault();
            s.focus();
          }
          return;
        }
        case "?":
          e.preventDefault();
          opts.help();
          return;
        case "j":
          e.preventDefault();
          move(1);
          return;
        case "k":
          e.preventDefault();
          move(-1);
          return;
        case "u":
          click("[data-nav-up]");
          return;
        case "[":
          click("[data-nav-prev]");
          return;
        case "]":
          click("[data-nav-next]");
          return;
        case "b": {
          const s = document.querySelector<HTMLElement>("main [data-nav-ref]");
          if (s) {
            e.preventDefault();
            s.focus();
          }
          return;
        }
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}
