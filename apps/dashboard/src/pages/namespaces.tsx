import { useState } from "preact/hooks";
import { call, type Namespace } from "../api.js";
import { Empty, ErrorBox, Loading, Time } from "../components/ui.js";
import { href, pathOf, type Location } from "../router.js";
import { fmtCount, useAsync, useTitle } from "../util.js";
import { NewRepoDialog } from "./new-repo.js";

export function NamespacesPage({ loc }: { loc: Location }) {
  useTitle("Namespaces");
  const cursor = loc.query.get("cursor") ?? "";
  const [creating, setCreating] = useState(false);
  const list = useAsync(
    (signal) => call<Namespace[]>("GET", `/namespaces?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, undefined, signal),
    [cursor],
  );
  const next = list.data?.result_info?.cursor;
  const rows = list.data?.result ?? [];
  return (
    <section>
      <div class="page-head">
        <h1>Namespaces</h1>
        <div class="actions">
          <button type="button" class="btn primary" onClick={() => setCreating(true)}>
            New repository
          </button>
        </div>
      </div>
      {list.error ? (
        <ErrorBox error={list.error} retry={list.reload} />
      ) : list.loading && !list.data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty title="No namespaces yet">
          <p>
            A namespace appears when its first repository is created: here, with the CLI, wrangler, or a Worker's <code>env.ARTIFACTS</code>.
          </p>
          <button type="button" class="btn primary" onClick={() => setCreating(true)}>
            Create a repository
          </button>
        </Empty>
      ) : (
        <table class="table" data-nav-list>
          <thead>
            <tr>
              <th>Namespace</th>
              <th class="num">Repositories</th>
              <th>Jurisdiction</th>
              <th>Created</th>
              <th>Updated</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((n) => (
              <tr key={n.namespace}>
                <td>
                  <a data-nav-link class="strong" href={href(pathOf(["ns", n.namespace]))}>
                    {n.namespace}
                  </a>
                </td>
                <td class="num">{fmtCount(n.repo_count)}</td>
                <td>{n.jurisdiction}</td>
                <td>
                  <Time t={n.created_at} />
                </td>
                <td>
                  <Time t={n.updated_at} />
                </td>
                <td class="right">
                  <a href={href(pathOf(["ns", n.namespace, "activity"]))}>Activity</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(cursor || next) && (
        <div class="pager">
          {cursor && (
            <a href={href("/")} data-nav-prev>
              First page
            </a>
          )}
          {next && (
            <a class="btn" data-nav-next href={href(pathOf([], { cursor: next }))}>
              Next page →
            </a>
          )}
        </div>
      )}
      <NewRepoDialog open={creating} onClose={() => setCreating(false)} onCreated={list.reload} />
    </section>
  );
}
