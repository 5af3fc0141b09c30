import type { ComponentChildren } from "preact";
import { enc, get, type Refs, type Repo } from "../api.js";
import { Badge, CopyButton, Crumbs, ErrorBox, Loading } from "../components/ui.js";
import { href, navigate, pathOf, type Location } from "../router.js";
import { branchName, useAsync, useInterval, useTitle } from "../util.js";
import { Source } from "./repos.js";
import { CodeView, FileView } from "./code.js";
import { CommitsView } from "./commits.js";
import { CommitView } from "./commit.js";
import { RefsView } from "./refs.js";
import { TokensView } from "./tokens.js";
import { SettingsView } from "./settings.js";

export interface RepoCtx {
  ns: string;
  name: string;
  repo: Repo;
  refs: Refs;
  /** The branch the Code and Commits tabs show when none is chosen. */
  defaultRef: string;
  reloadRepo: () => void;
}

export const repoPath = (c: { ns: string; name: string }, ...rest: Array<string | undefined>) => pathOf(["ns", c.ns, "r", c.name, ...rest]);

export const cloneCommand = (remote: string, token?: string) =>
  `git -c http.extraHeader="Authorization: Bearer ${token ?? "$ARTIFACTS_TOKEN"}" clone ${remote}`;

/** /ns/:ns/r/:name/… : the repository's header, tabs, and the view for `sub`. */
export function RepoPage({ ns, name, sub, loc }: { ns: string; name: string; sub: string[]; loc: Location }) {
  useTitle(`${name} · ${ns}`);
  const repo = useAsync((signal) => get<Repo>(`/namespaces/${enc(ns)}/repos/${enc(name)}`, signal), [ns, name]);
  const refs = useAsync((signal) => get<Refs>(`/namespaces/${enc(ns)}/repos/${enc(name)}/refs`, signal), [ns, name]);
  // New pushes show up on their own: the refs are polled while the tab is visible.
  useInterval(refs.reload, repo.data ? 3000 : null);

  if (repo.error) {
    return (
      <section>
        <Crumbs
          items={[
            ["Namespaces", href("/")],
            [ns, href(pathOf(["ns", ns]))],
            [name, undefined],
          ]}
        />
        <ErrorBox error={repo.error} retry={repo.reload} />
        <p>
          <a href={href(pathOf(["ns", ns]))}>← All repositories in {ns}</a>
        </p>
      </section>
    );
  }
  if (!repo.data || !refs.data) return refs.error ? <ErrorBox error={refs.error} retry={refs.reload} /> : <Loading />;
  const r = repo.data;
  const hasDefault = refs.data.refs.some((x) => x.name === `refs/heads/${r.default_branch}`);
  const ctx: RepoCtx = {
    ns,
    name: r.name,
    repo: r,
    refs: refs.data,
    defaultRef: hasDefault ? r.default_branch : branchName(refs.data.refs.find((x) => x.name.startsWith("refs/heads/"))?.name ?? r.default_branch),
    reloadRepo: repo.reload,
  };
  const tab = sub[0] ?? "";
  const tabs: Array<[string, string, string | undefined]> = [
    ["Code", "", undefined],
    ["Commits", "commits", undefined],
    ["Branches & tags", "refs", String(refs.data.refs.length)],
    ["Tokens", "tokens", undefined],
    ["Settings", "settings", undefined],
  ];
  const current = tab === "tree" || tab === "blob" ? "" : tab === "commit" ? "commits" : tab;
  let body: ComponentChildren;
  if (tab === "" || tab === "tree") body = <CodeView c={ctx} gitRef={sub[1] ?? ctx.defaultRef} path={sub.slice(2).join("/")} />;
  else if (tab === "blob") body = <FileView c={ctx} gitRef={sub[1] ?? ctx.defaultRef} path={sub.slice(2).join("/")} />;
  else if (tab === "commits") body = <CommitsView c={ctx} gitRef={sub[1] ?? ctx.defaultRef} from={loc.query.get("from") ?? ""} />;
  else if (tab === "commit" && sub[1]) body = <CommitView c={ctx} hash={sub[1]} />;
  else if (tab === "refs") body = <RefsView c={ctx} />;
  else if (tab === "tokens") body = <TokensView c={ctx} loc={loc} />;
  else if (tab === "settings") body = <SettingsView c={ctx} />;
  else body = <ErrorBox error={new Error(`No such page in a repository: ${tab}`)} />;

  return (
    <section>
      <Crumbs
        items={[
          ["Namespaces", href("/")],
          [ns, href(pathOf(["ns", ns]))],
          [r.name, undefined],
        ]}
      />
      <div class="page-head">
        <div>
          <h1 class="repo-title">
            {r.name}
            {r.read_only && <Badge kind="warn">read-only</Badge>}
            {r.source && (
              <Badge kind="info">
                <Source source={r.source} />
              </Badge>
            )}
          </h1>
          {r.description && <p class="muted">{r.description}</p>}
        </div>
        <div class="clone">
          <code class="remote" title="Git remote">
            {r.remote}
          </code>
          <CopyButton text={cloneCommand(r.remote)} label="Copy clone command" />
        </div>
      </div>
      <nav class="tabs" aria-label="Repository">
        {tabs.map(([label, t, count]) => (
          <a key={t} href={href(repoPath(ctx, t || undefined))} aria-current={current === t ? "page" : undefined} class={current === t ? "active" : ""}>
            {label}
            {count !== undefined && <span class="count">{count}</span>}
          </a>
        ))}
      </nav>
      {body}
    </section>
  );
}

/** Branch and tag picker; keeps the current view (tree, blob, commits) when the ref changes. */
export function RefPicker({ c, gitRef, view, path = "" }: { c: RepoCtx; gitRef: string; view: "tree" | "blob" | "commits"; path?: string }) {
  const branches = c.refs.refs.filter((r) => r.name.startsWith("refs/heads/")).map((r) => branchName(r.name));
  const tags = c.refs.refs.filter((r) => r.name.startsWith("refs/tags/")).map((r) => branchName(r.name));
  const known = branches.includes(gitRef) || tags.includes(gitRef);
  return (
    <label class="inline refpicker">
      <span class="visually-hidden">Branch or tag</span>
      <select
        data-nav-ref
        value={gitRef}
        onChange={(e) => {
          const ref = e.currentTarget.value;
          navigate(view === "commits" ? repoPath(c, "commits", ref) : repoPath(c, view === "blob" ? "blob" : "tree", ref, ...path.split("/").filter(Boolean)));
        }}
      >
        {!known && <option value={gitRef}>{/^[0-9a-f]{40}$/.test(gitRef) ? `commit ${gitRef.slice(0, 7)}` : gitRef}</option>}
        {branches.length > 0 && (
          <optgroup label="Branches">
            {branches.map((b) => (
              <option key={b} value={b}>
                {b}
                {b === c.repo.default_branch ? " (default)" : ""}
              </option>
            ))}
          </optgroup>
        )}
        {tags.length > 0 && (
          <optgroup label="Tags">
            {tags.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </optgroup>
        )}
      </select>
    </label>
  );
}

/** The commit a ref names right now, as the polled refs see it (changes when someone pushes). */
export function refOid(c: RepoCtx, ref: string): string {
  if (/^[0-9a-f]{40}$/.test(ref)) return ref;
  return c.refs.refs.find((r) => r.name === ref || r.name === `refs/heads/${ref}` || r.name === `refs/tags/${ref}`)?.oid ?? "";
}
