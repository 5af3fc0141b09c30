import { useEffect, useRef, useState } from "preact/hooks";
import { call, enc, get, type AuditEntry, type EventRecord, type Namespace } from "../api.js";
import { Badge, Crumbs, Empty, ErrorBox, Loading, Time } from "../components/ui.js";
import { href, navigate, pathOf, type Location } from "../router.js";
import { shortHash, useDebounced, useInterval, useTitle } from "../util.js";

const POLL_MS = 2000;
const EVENT_TYPES = ["created", "deleted", "forked", "imported", "pushed", "cloned", "fetched", "token.created", "token.revoked"];
const OUTCOMES = ["", "ok", "denied", "error"];

/**
 * Live activity of one namespace, newest first: the cf.artifacts.repo.* events (polled with
 * `after=<last seq>`) and the audit log (polled for entries newer than the last seen).
 */
export function ActivityPage({ ns, loc }: { ns: string; loc: Location }) {
  useTitle(`Activity · ${ns}`);
  const tab = loc.query.get("tab") === "audit" ? "audit" : "events";
  const [live, setLive] = useState(true);
  const namespaces = useNamespaces();
  const q = (o: Record<string, string | undefined>) => pathOf(["ns", ns, "activity"], { tab, ...Object.fromEntries(loc.query), ...o });
  return (
    <section>
      <Crumbs
        items={[
          ["Namespaces", href("/")],
          [ns, href(pathOf(["ns", ns]))],
          ["Activity", undefined],
        ]}
      />
      <div class="page-head">
        <h1>Activity</h1>
        <div class="actions">
          <label class="inline">
            Namespace
            <select value={ns} onChange={(e) => navigate(pathOf(["ns", e.currentTarget.value, "activity"], { tab }))}>
              {[...new Set([ns, ...namespaces])].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            class={`btn ${live ? "live" : ""}`}
            aria-pressed={live}
            onClick={() => setLive(!live)}
            title="Poll for new entries every 2 seconds"
          >
            <span class="dot" aria-hidden="true" />
            {live ? "Live" : "Paused"}
          </button>
        </div>
      </div>
      <nav class="tabs" aria-label="Activity">
        <a href={href(pathOf(["ns", ns, "activity"]))} class={tab === "events" ? "active" : ""} aria-current={tab === "events" ? "page" : undefined}>
          Events
        </a>
        <a
          href={href(pathOf(["ns", ns, "activity"], { tab: "audit" }))}
          class={tab === "audit" ? "active" : ""}
          aria-current={tab === "audit" ? "page" : undefined}
        >
          Audit log
        </a>
      </nav>
      {tab === "events" ? <Events ns={ns} loc={loc} live={live} q={q} /> : <Audit ns={ns} loc={loc} live={live} q={q} />}
    </section>
  );
}

function useNamespaces(): string[] {
  const [list, set] = useState<string[]>([]);
  useEffect(() => {
    get<Namespace[]>("/namespaces?limit=200").then(
      (r) => set(r.map((n) => n.namespace)),
      () => set([]),
    );
  }, []);
  return list;
}

/** A text filter kept in the URL (debounced, replaces the history entry). */
function useUrlFilter(loc: Location, key: string, q: (o: Record<string, string | undefined>) => string): [string, (v: string) => void] {
  const fromUrl = loc.query.get(key) ?? "";
  const [v, set] = useState(fromUrl);
  const d = useDebounced(v, 300);
  useEffect(() => set(fromUrl), [fromUrl]);
  useEffect(() => {
    if (d !== fromUrl) navigate(q({ [key]: d || undefined }), { replace: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [d]);
  return [v, set];
}

/** Rows that arrived after the first load are marked for a moment. */
function useFresh() {
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const mark = (seqs: number[]) => {
    if (seqs.length === 0) return;
    setFresh(new Set(seqs));
    setTimeout(() => setFresh(new Set()), 4000);
  };
  return { fresh, mark };
}

interface FeedProps {
  ns: string;
  loc: Location;
  live: boolean;
  q: (o: Record<string, string | undefined>) => string;
}

function Events({ ns, loc, live, q }: FeedProps) {
  const type = loc.query.get("type") ?? "";
  const [repo, setRepo] = useUrlFilter(loc, "repo", q);
  const repoQ = loc.query.get("repo") ?? "";
  const [rows, setRows] = useState<EventRecord[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { fresh, mark } = useFresh();
  const key = `${ns}|${type}|${repoQ}`;
  const current = useRef(key);
  const params = (after?: number) => {
    const p = new URLSearchParams({ limit: "200" });
    if (type) p.set("type", `cf.artifacts.repo.${type}`);
    if (repoQ) p.set("repo", repoQ);
    if (after !== undefined) p.set("after", String(after));
    return p;
  };
  useEffect(() => {
    current.current = key;
    setRows(null);
    setError(null);
    get<EventRecord[]>(`/namespaces/${enc(ns)}/events?${params()}`).then(
      (r) => current.current === key && setRows(r),
      (e) => current.current === key && setError(e),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  useInterval(
    () => {
      if (!rows) return;
      const after = rows[0]?.seq ?? 0;
      get<EventRecord[]>(`/namespaces/${enc(ns)}/events?${params(after)}`).then(
        (r) => {
          if (current.current !== key || r.length === 0) return;
          setRows((old) => [...r, ...(old ?? [])].slice(0, 1000));
          mark(r.map((x) => x.seq));
          setError(null);
        },
        (e) => setError(e),
      );
    },
    live ? POLL_MS : null,
  );
  return (
    <div>
      <div class="toolbar">
        <label class="inline">
          Type
          <select value={type} onChange={(e) => navigate(q({ type: e.currentTarget.value || undefined }), { replace: true })}>
            <option value="">all events</option>
            {EVENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <input
          type="search"
          data-search
          placeholder="Repository (exact name)"
          aria-label="Filter by repository"
          value={repo}
          onInput={(e) => setRepo(e.currentTarget.value)}
          spellcheck={false}
        />
      </div>
      {error !== null && <ErrorBox error={error} />}
      {rows === null ? (
        error === null && <Loading />
      ) : rows.length === 0 ? (
        <Empty title={type || repoQ ? "No events match these filters" : `No events in ${ns} yet`}>
          <p class="muted">Creating, forking, deleting, pushing, cloning and minting tokens all show up here as they happen{live ? " (live)" : ""}.</p>
        </Empty>
      ) : (
        <table class="table feed" data-nav-list>
          <thead>
            <tr>
              <th>When</th>
              <th>Event</th>
              <th>Repository</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.seq} class={fresh.has(r.seq) ? "fresh" : ""}>
                <td class="nowrap">
                  <Time t={r.event.metadata.eventTimestamp} />
                </td>
                <td>
                  <Badge
                    kind={r.event.type.endsWith("deleted") || r.event.type.endsWith("revoked") ? "danger" : r.event.type.endsWith("pushed") ? "ok" : "info"}
                  >
                    {r.event.type.replace("cf.artifacts.repo.", "")}
                  </Badge>
                </td>
                <td>
                  <a data-nav-link href={href(pathOf(["ns", r.event.source.namespace, "r", r.event.source.repoName]))}>
                    {r.event.source.repoName}
                  </a>
                </td>
                <td>
                  <EventDetail r={r} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const ZERO = "0".repeat(40);

function EventDetail({ r }: { r: EventRecord }) {
  const p = r.event.payload;
  const repo = pathOf(["ns", r.event.source.namespace, "r", r.event.source.repoName]);
  switch (r.event.type) {
    case "cf.artifacts.repo.pushed": {
      const commits = (p.commits as Array<{ id: string; message: string }> | undefined) ?? [];
      const before = String(p.before ?? "");
      const after = String(p.after ?? "");
      const ref = String(p.ref ?? "").replace(/^refs\/(heads|tags)\//, "");
      return (
        <span>
          <code>{ref}</code>{" "}
          {after === ZERO ? (
            "deleted"
          ) : (
            <>
              {before === ZERO ? "created at " : `${shortHash(before)} → `}
              <a class="hash" href={href(`${repo}/commit/${after}`)}>
                {shortHash(after)}
              </a>
              {commits.length > 0 && (
                <span class="muted">
                  {" "}
                  · {Number(p.totalCommitsCount ?? commits.length)} commit{Number(p.totalCommitsCount ?? commits.length) === 1 ? "" : "s"}:{" "}
                  {commits[commits.length - 1]!.message.split("\n", 1)[0]}
                </span>
              )}
            </>
          )}
        </span>
      );
    }
    case "cf.artifacts.repo.token.created":
      return (
        <span>
          {String(p.scope)} token <code>{String(p.tokenId)}</code>, expires <Time t={String(p.expiresAt)} />
        </span>
      );
    case "cf.artifacts.repo.token.revoked":
      return (
        <span>
          token <code>{String(p.tokenId)}</code>
        </span>
      );
    case "cf.artifacts.repo.forked":
      return (
        <span>
          to{" "}
          <a href={href(pathOf(["ns", String(p.namespace), "r", String(p.repoName)]))}>
            {String(p.namespace)}/{String(p.repoName)}
          </a>
        </span>
      );
    case "cf.artifacts.repo.imported":
      return <span class="ellipsis">from {String(p.sourceUrl)}</span>;
    default:
      return <span class="muted">{p.defaultBranch ? `default branch ${String(p.defaultBranch)}` : ""}</span>;
  }
}

function Audit({ ns, loc, live, q }: FeedProps) {
  const [principal, setPrincipal] = useUrlFilter(loc, "principal", q);
  const [action, setAction] = useUrlFilter(loc, "action", q);
  const principalQ = loc.query.get("principal") ?? "";
  const actionQ = loc.query.get("action") ?? "";
  const outcome = loc.query.get("outcome") ?? "";
  const [rows, setRows] = useState<AuditEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { fresh, mark } = useFresh();
  const key = `${ns}|${principalQ}|${actionQ}`;
  const current = useRef(key);
  const LIMIT = 200;
  const params = (before?: number) => {
    const p = new URLSearchParams({ limit: String(LIMIT) });
    if (principalQ) p.set("principal", principalQ);
    if (actionQ) p.set("action", actionQ);
    if (before !== undefined) p.set("before", String(before));
    return p;
  };
  useEffect(() => {
    current.current = key;
    setRows(null);
    setError(null);
    call<AuditEntry[]>("GET", `/namespaces/${enc(ns)}/audit?${params()}`).then(
      (r) => {
        if (current.current !== key) return;
        setRows(r.result);
        setMore(r.result.length === LIMIT);
      },
      (e) => current.current === key && setError(e),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  useInterval(
    () => {
      if (!rows) return;
      const top = rows[0]?.seq ?? 0;
      get<AuditEntry[]>(`/namespaces/${enc(ns)}/audit?${params()}`).then(
        (r) => {
          if (current.current !== key) return;
          const add = r.filter((x) => x.seq > top);
          if (add.length === 0) return;
          setRows((old) => [...add, ...(old ?? [])]);
          mark(add.map((x) => x.seq));
          setError(null);
        },
        (e) => setError(e),
      );
    },
    live ? POLL_MS : null,
  );
  const older = async () => {
    const last = rows?.[rows.length - 1]?.seq;
    if (last === undefined) return;
    const r = await get<AuditEntry[]>(`/namespaces/${enc(ns)}/audit?${params(last)}`);
    setRows((old) => [...(old ?? []), ...r]);
    setMore(r.length === LIMIT);
  };
  const shown = rows?.filter((r) => !outcome || r.outcome === outcome) ?? null;
  return (
    <div>
      <div class="toolbar">
        <input
          type="search"
          data-search
          placeholder="Principal (admin, api-token:…, repo-token:…)"
          aria-label="Filter by principal"
          value={principal}
          onInput={(e) => setPrincipal(e.currentTarget.value)}
          spellcheck={false}
        />
        <input
          type="search"
          placeholder="Action (git, git.push, repo.create…)"
          aria-label="Filter by action"
          value={action}
          onInput={(e) => setAction(e.currentTarget.value)}
          spellcheck={false}
        />
        <label class="inline">
          Outcome
          <select value={outcome} onChange={(e) => navigate(q({ outcome: e.currentTarget.value || undefined }), { replace: true })}>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o || "any"}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error !== null && <ErrorBox error={error} />}
      {shown === null ? (
        error === null && <Loading />
      ) : shown.length === 0 ? (
        <Empty title={principalQ || actionQ || outcome ? "No audit entries match these filters" : `No audit entries in ${ns} yet`}>
          <p class="muted">Pushes, clones, token use and refusals are recorded here.</p>
        </Empty>
      ) : (
        <table class="table feed" data-nav-list>
          <thead>
            <tr>
              <th>When</th>
              <th>Principal</th>
              <th>Action</th>
              <th>Resource</th>
              <th>Outcome</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.seq} class={fresh.has(r.seq) ? "fresh" : ""}>
                <td class="nowrap">
                  <Time t={r.at} />
                </td>
                <td>
                  <button
                    type="button"
                    data-nav-link
                    class="linkish"
                    title="Show only this principal"
                    onClick={() => navigate(q({ principal: r.principal }), { replace: true })}
                  >
                    {r.principal}
                  </button>
                </td>
                <td>
                  <code>{r.action}</code>
                </td>
                <td class="ellipsis">{r.resource}</td>
                <td>
                  <Badge kind={r.outcome === "ok" ? "ok" : r.outcome === "denied" ? "warn" : "danger"}>{r.outcome}</Badge>
                </td>
                <td class="detail">{r.detail ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more && (
        <div class="pager">
          <button type="button" class="btn" data-nav-next onClick={() => void older().catch(setError)}>
            Older entries →
          </button>
        </div>
      )}
    </div>
  );
}
