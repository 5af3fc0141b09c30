/**
 * The operator session. `artifacts-emulator dashboard` prints a URL whose fragment carries a
 * one-time code (#session=…). Fragments never reach a server or its logs; the page removes it from
 * the address bar and history at once, trades it (once) for the credential, and keeps that in
 * sessionStorage: this tab only, gone when the tab closes. The credential is never shown.
 * A pasted API token works too (with that token's scopes; API tokens cannot manage API tokens).
 */
const KEY = "artifacts-dashboard/session";

export interface Session {
  token: string;
  account: string;
  kind: "operator" | "api-token";
}

let current: Session | null = null;
const listeners = new Set<() => void>();
let lostReason = "";

export function session(): Session {
  if (!current) throw new Error("no session");
  return current;
}
export function hasSession(): boolean {
  return current !== null;
}
export function lostSessionReason(): string {
  return lostReason;
}
export function onSessionChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}
function changed() {
  for (const f of listeners) f();
}

export function clearSession(reason = "") {
  current = null;
  lostReason = reason;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // storage disabled
  }
  changed();
}

async function accountFor(token: string): Promise<string> {
  const res = await fetch("/client/v4/accounts", { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" });
  const j = (await res.json().catch(() => null)) as { success?: boolean; result?: Array<{ id: string }>; errors?: Array<{ message: string }> } | null;
  if (!res.ok || !j?.success) throw new Error(j?.errors?.[0]?.message ?? `The emulator refused the credential (HTTP ${res.status}).`);
  return j.result?.[0]?.id ?? "local";
}

async function kindOf(token: string, account: string): Promise<Session["kind"]> {
  // Only the operator may list API tokens; an API token gets 403 here.
  const res = await fetch(`/client/v4/accounts/${encodeURIComponent(account)}/artifacts/api-tokens`, {
    headers: { Authorization: `Bearer ${token}` },
    cache: "no-store",
  });
  return res.ok ? "operator" : "api-token";
}

async function adopt(token: string): Promise<void> {
  const account = await accountFor(token);
  const kind = await kindOf(token, account);
  current = { token, account, kind };
  lostReason = "";
  try {
    sessionStorage.setItem(KEY, JSON.stringify(current));
  } catch {
    // storage disabled: the session lasts until reload
  }
  changed();
}

/** Sign in with a pasted API token (or operator credential). */
export function signInWithToken(token: string): Promise<void> {
  return adopt(token.trim());
}

/** Start up: take a one-time code from the fragment, else the tab's stored session. */
export async function bootSession(): Promise<void> {
  const m = /(?:^#|&)session=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (m) {
    // Out of the address bar and this history entry before anything else runs.
    history.replaceState(history.state, "", location.pathname + location.search);
    try {
      const res = await fetch("/cdn-cgi/artifacts/session", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ code: m[1] }),
        cache: "no-store",
      });
      const j = (await res.json().catch(() => null)) as { token?: string; error?: string } | null;
      if (res.ok && j?.token) return await adopt(j.token);
      lostReason = j?.error ?? `The session link was refused (HTTP ${res.status}).`;
    } catch (e) {
      lostReason = `Could not open the session: ${(e as Error).message}`;
    }
  }
  try {
    const saved = sessionStorage.getItem(KEY);
    if (saved) {
      current = JSON.parse(saved) as Session;
      lostReason = "";
    }
  } catch {
    current = null;
  }
}
