import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api.js";
import { absTime, copyText, relTime } from "../util.js";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** What went wrong, in words a person can act on. */
export function describeError(e: unknown): { title: string; detail: string } {
  if (e instanceof ApiError) {
    if (e.status === 0)
      return { title: "Cannot reach the emulator", detail: "Is `npx artifacts-emulator start` still running? This page retries when you ask it to." };
    if (e.status === 401) return { title: "Not signed in", detail: e.message };
    if (e.status === 403) return { title: "Not allowed", detail: e.message };
    if (e.status === 404) return { title: "Not found", detail: e.message };
    if (e.status === 409) return { title: "Conflict", detail: e.message };
    if (e.status === 400) return { title: "Invalid request", detail: e.message };
    return { title: `Error ${e.status}`, detail: e.message };
  }
  return { title: "Something went wrong", detail: e instanceof Error ? e.message : String(e) };
}

export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  const d = describeError(error);
  return (
    <div class="error" role="alert">
      <strong>{d.title}</strong>
      <span>{d.detail}</span>
      {retry && (
        <button type="button" class="btn small" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children}
    </div>
  );
}

export function Time({ t }: { t: string | number | null | undefined }) {
  if (t === null || t === undefined) return <span class="muted">never</span>;
  const iso = new Date(typeof t === "number" ? t * 1000 : t).toISOString();
  return (
    <time dateTime={iso} title={absTime(t)}>
      {relTime(t)}
    </time>
  );
}

export function CopyButton({ text, label = "Copy", class: cls = "" }: { text: string; label?: string; class?: string }) {
  const [done, setDone] = useState<"" | "ok" | "fail">("");
  useEffect(() => {
    if (!done) return;
    const id = setTimeout(() => setDone(""), 1600);
    return () => clearTimeout(id);
  }, [done]);
  return (
    <button type="button" class={`btn small ${cls}`} onClick={async () => setDone((await copyText(text)) ? "ok" : "fail")} aria-live="polite">
      {done === "ok" ? "Copied" : done === "fail" ? "Copy failed" : label}
    </button>
  );
}

/** A read-only line of text with a copy button (commands, remotes). */
export function CopyField({ value, label }: { value: string; label: string }) {
  return (
    <div class="copyfield">
      <input type="text" readOnly value={value} aria-label={label} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} spellcheck={false} />
      <CopyButton text={value} />
    </div>
  );
}

/** A secret the API returned once: shown here once, never stored, gone when this is dismissed. */
export function SecretOnce({
  value,
  expires,
  what,
  children,
  onDismiss,
  wide,
}: {
  value: string;
  expires?: string | null;
  what: string;
  children?: ComponentChildren;
  onDismiss: () => void;
  wide?: boolean;
}) {
  return (
    <div class={`secret ${wide ? "wide" : ""}`} role="status">
      <p>
        <strong>Copy your {what} now.</strong> It is shown only this once
        {expires ? (
          <>
            {" "}
            and expires <Time t={expires} /> ({absTime(expires)})
          </>
        ) : (
          <> and does not expire</>
        )}
        .
      </p>
      <CopyField value={value} label={what} />
      {children}
      <button type="button" class="btn small" onClick={onDismiss}>
        Done, hide it
      </button>
    </div>
  );
}

export function Badge({ kind = "", children, title }: { kind?: string; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge ${kind}`} title={title}>
      {children}
    </span>
  );
}

export function Dialog({ open, title, onClose, children }: { open: boolean; title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} class="dialog" onClose={onClose} aria-label={title}>
      {open && (
        <>
          <header>
            <h2>{title}</h2>
            <button type="button" class="btn icon" aria-label="Close" onClick={onClose}>
              ✕
            </button>
          </header>
          <div class="dialog-body">{children}</div>
        </>
      )}
    </dialog>
  );
}

/** A token's state: green while it works, red once revoked, plain when it has expired. */
export function TokenState({ state }: { state: string }) {
  return <Badge kind={state === "active" ? "ok" : state === "revoked" ? "danger" : ""}>{state}</Badge>;
}

/** The confirmation before revoking a token (repo or API); `children` says which one and what stops working. */
export function RevokeDialog<T>({
  title,
  token,
  onClose,
  revoke,
  children,
}: {
  title: string;
  token: T | null;
  onClose: () => void;
  revoke: { busy: boolean; error: unknown; run: (t: T) => Promise<void> };
  children: ComponentChildren;
}) {
  return (
    <Dialog open={token !== null} title={title} onClose={onClose}>
      {token !== null && (
        <div class="stack">
          <p>{children}</p>
          {revoke.error !== null && <ErrorBox error={revoke.error} />}
          <div class="actions">
            <button type="button" class="btn" onClick={onClose}>
              Cancel
            </button>
            <button type="button" class="btn danger" disabled={revoke.busy} onClick={() => void revoke.run(token)}>
              {revoke.busy ? "Revoking…" : "Revoke token"}
            </button>
          </div>
        </div>
      )}
    </Dialog>
  );
}

export function Crumbs({ items }: { items: Array<[string, string | undefined]> }) {
  return (
    <nav class="crumbs" aria-label="Breadcrumb">
      {items.map(([label, to], i) => (
        <span key={i}>
          {i > 0 && <span class="sep">/</span>}
          {to ? <a href={to}>{label}</a> : <span aria-current="page">{label}</span>}
        </span>
      ))}
    </nav>
  );
}

/** Submit state for forms: busy flag and the last error. */
export function useSubmit<A extends unknown[]>(fn: (...a: A) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (...a: A) => {
    setBusy(true);
    setError(null);
    try {
      await fn(...a);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}
