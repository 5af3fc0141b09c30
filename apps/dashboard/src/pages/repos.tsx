import { useEffect, useRef, useState } from "preact/hooks";
import { call, enc, get, type Repo, type Stats } from "../api.js";
import { Badge, Crumbs, Empty, ErrorBox, Loading, Time } from "../components/ui.js";
import { href, navigate, pathOf, type Location } from "../router.js";
import { fmtBytes, fmtCount, useAsync, useDebounced, useTitle } from "../util.js";
import { NewRepoDialog } from "./new-repo.js";

const SORTS = [
  ["created_at", "Created"],
  ["updated_at", "Updated"],
  ["last_push_at", "Last push"],
  ["name", "Name"],
] as const;

/** For "Previous page" (cursors only go forward): the cursor each page was reached from, this tab only. */
const prevOf = new Map<string, string>();

export function ReposPage({ ns, loc }: { ns: string; loc: Location }) {
  useTitle(ns);
  const q = loc.query.get("q") ?? "";
  const sort = loc.query.get("sort") ?? "created_at";
  const dir = loc.query.get("dir") ?? (sort === "name" ? "asc" : "desc");
  const limit = Number(loc.query.get("limit") ?? "25");
  const cursor = loc.query.get("cursor") ?? "";
  const [search, setSearch] = useState(q);
  const debounced = useDebounced(search, 250);
  const [creating, setCreating] = useState(false);
  const listKey = `${ns}|${q}|${sort}|${dir}|${limit}`;
  const prev = prevOf.get(`${listKey}|${cursor}`);
  let page = 1;
  for (let c = cursor; c && page < 100_000; page++) c = prevOf.get(`${listKey}|${c}`) ?? "";

  const to = (o: Record<string, string | number | undefined>) =>
    pathOf(["ns", ns], { q, sort, dir: dir === (sort === "name" ? "asc" : "desc") ? undefined : dir, limit: limit === 25 ? undefined : limit, ...o });

  useEffect(() => setSearch(q), [q]);
  useEffect(() => {
    if (debounced !== q) navigate(to({ q: debounced, cursor: undefined }), { replace: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);

  const list = useAsync(
    (signal) => {
      const p = new URLSearchParams({ limit: String(limit), sort, direction: dir });
      if (q) p.set("search", q);
      if (cursor) p.set("cursor", cursor);
      return call<Repo[]>("GET", `/namespaces/${enc(ns)}/repos?${p}`, undefined, signal);
    },
    [ns, q, sort, dir, limit, cursor],
  );
  const rows = list.data?.result ?? [];
  const total = list.data?.result_info?.total_count;
  const next = list.data?.result_info?.cursor;

  return (
    <section>
      <Crumbs
        items={[
          ["Namespaces", href("/")],
          [ns, undefined],
        ]}
      />
      <div class="page-head">
        <h1>
          {ns}{" "}
          {total !== undefined && (
            <span class="count">
              {fmtCount(total)} {total === 1 ? "repository" : "repositories"}
            </span>
          )}
        </h1>
        <div class="actions">
          <a class="btn" href={href(pathOf(["ns", ns, "activity"]))}>
            Activity
          </a>
          <button type="button" class="btn primary" onClick={() => setCreating(true)}>
            New repository
          </button>
        </div>
      </div>
      {loc.query.get("deleted") && (
        <p class="flash" role="status">
          Deleted {loc.query.get("deleted")}.
        </p>
      )}
      <div class="toolbar" role="search">
        <input
          type="search"
          data-search
          placeholder="Search repositories (press /)"
          aria-label="Search repositories by name"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
          spellcheck={false}
        />
        <label class="inline">
          Sort
          <select value={sort} onChange={(e) => navigate(to({ sort: e.currentTarget.value, dir: undefined, cursor: undefined }))}>
            {SORTS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="btn" title="Change direction" onClick={() => navigate(to({ dir: dir === "asc" ? "desc" : "asc", cursor: undefined }))}>
          {sort === "name" ? (dir === "asc" ? "A → Z" : "Z → A") : dir === "desc" ? "Newest first" : "Oldest first"}
        </button>
        <label class="inline">
          Per page
          <select value={String(limit)} onChange={(e) => navigate(to({ limit: Number(e.currentTarget.value), cursor: undefined }))}>
            {[25, 50, 100, 200].map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      {list.error ? (
        <ErrorBox error={list.error} retry={list.reload} />
      ) : list.loading && !list.data ? (
        <Loading />
      ) : rows.length === 0 ? (
        q ? (
          <Empty title={`No repositories match “${q}”`}>
            <button type="button" class="btn" onClick={() => navigate(to({ q: undefined, cursor: undefined }))}>
              Clear the search
            </button>
          </Empty>
        ) : (
          <Empty title={`No repositories in ${ns} yet`}>
            <p>
              Create one here, or with <code>artifacts-emulator</code>, wrangler or <code>env.ARTIFACTS.create()</code>.
            </p>
            <button type="button" class="btn primary" onClick={() => setCreating(true)}>
              Create a repository
            </button>
          </Empty>
        )
      ) : (
        <table class="table repos" data-nav-list>
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Default branch</th>
              <th>Source</th>
              <th class="num">Size</th>
              <th>Last push</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>
                  <a data-nav-link class="strong" href={href(pathOf(["ns", ns, "r", r.name]))}>
                    {r.name}
                  </a>
                  {r.read_only && (
                    <>
                      {" "}
                      <Badge kind="warn">read-only</Badge>
                    </>
                  )}
                  {r.description && <div class="muted small">{r.description}</div>}
                </td>
                <td>
                  <Badge kind={r.status === "ready" ? "ok" : "warn"}>{r.status}</Badge>
                </td>
                <td>
                  <code>{r.default_branch}</code>
                </td>
                <td>
                  <Source source={r.source} />
                </td>
                <td class="num">
                  <RepoSize ns={ns} name={r.name} />
                </td>
                <td>
                  <Time t={r.last_push_at} />
                </td>
                <td>
                  <Time t={r.created_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(cursor || next) && (
        <div class="pager">
          {cursor && (
            <a class="btn" data-nav-prev href={href(to({ cursor: prev || undefined }))}>
              {prev === undefined ? "← First page" : "← Previous page"}
            </a>
          )}
          {(prev !== undefined || !cursor) && <span class="muted">Page {page}</span>}
          {next && (
            <a class="btn" data-nav-next href={href(to({ cursor: next }))} onClick={() => prevOf.set(`${listKey}|${next}`, cursor)}>
              Next page →
            </a>
          )}
        </div>
      )}
      <NewRepoDialog open={creating} namespace={ns} onClose={() => setCreating(false)} onCreated={list.reload} />
    </section>
  );
}

export function Source({ source }: { source: string | null }) {
  if (!source) return <span class="muted">created</span>;
  const fork = /^artifacts:([^/]+)\/(.+)$/.exec(source);
  if (fork)
    return (
      <span>
        fork of <a href={href(pathOf(["ns", fork[1], "r", fork[2]]))}>{fork[2]}</a>
      </span>
    );
  if (source.startsWith("git:"))
    return (
      <span class="ellipsis" title={source.slice(4)}>
        import from {source.slice(4)}
      </span>
    );
  return <span>{source}</span>;
}

// A few stats requests at a time: the list route has no size, so each row on screen asks for its own.
let active = 0;
const waiting: Array<() => void> = [];
async function limited<T>(f: () => Promise<T>): Promise<T> {
  if (active >= 4) await new Promise<void>((r) => waiting.push(r));
  active++;
  try {
    return await f();
  } finally {
    active--;
    waiting.shift()?.();
  }
}

/** Asked for only once the row is on screen. */
function RepoSize({ ns, name }: { ns: string; name: string }) {
  const ref = useRef<HTMLSpanElement>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || seen) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setSeen(true));
    io.observe(el);
    return () => io.disconnect();
  }, [seen]);
  const s = useAsync(() => (seen ? limited(() => get<Stats>(`/namespaces/${enc(ns)}/repos/${enc(name)}/stats`)) : Promise.resolve(null)), [ns, name, seen]);
  if (s.error) return <span class="muted">–</span>;
  if (!s.data)
    return (
      <span ref={ref} class="muted">
        …
      </span>
    );
  return <span title={`${fmtCount(s.data.objects)} objects, ${s.data.refs} refs`}>{fmtBytes(s.data.bytes)}</span>;
}
