/** Repositories and namespaces, with the names wrangler users know: repos create|list|get|delete|token, namespaces list, whoami. */
import { PROG, type Command } from "../args.js";
import { CliError, c, print, table, usage } from "../output.js";
import { all, api, connect, stateFor } from "../client.js";
import { namespaceName, repoName, repoScope, repoTtl } from "../rules.js";

const NS = { namespace: { type: "string", short: "n" } } as const;
const nsPath = (ns: string) => `/namespaces/${encodeURIComponent(ns)}`;

interface Repo {
  id: string;
  name: string;
  description?: string | null;
  default_branch?: string;
  remote: string;
  token?: string;
  read_only?: boolean;
  last_push_at?: string | null;
}

/**
 * A clone command that keeps the token out of .git/config: `-c` applies to this one command
 * only, unlike a token in the URL (which git stores as the remote).
 */
export const cloneCommand = (token: string, remote: string) => `git -c http.extraHeader="Authorization: Bearer ${token}" clone ${remote}`;

export const repoCommands: Command[] = [
  {
    name: "repos create",
    summary: "Create a repository (prints its remote and a write token)",
    args: "<name> [--namespace NS] [--description TEXT] [--default-branch B] [--read-only]",
    options: { ...NS, description: { type: "string" }, "default-branch": { type: "string" }, "read-only": { type: "boolean" } },
    positionals: [1, 1],
    dryRun: "preview",
    async run({ values, positionals, format, dryRun }) {
      const name = repoName(positionals[0]);
      const ns = namespaceName(values.namespace);
      const body = {
        name,
        ...(values.description !== undefined ? { description: values.description } : {}),
        ...(values["default-branch"] ? { default_branch: values["default-branch"] } : {}),
        ...(values["read-only"] ? { read_only: true } : {}),
      };
      if (dryRun) return print(format, { dryRun: true, namespace: ns, wouldCreate: body }, () => `Would create repository ${name} in namespace ${ns}`);
      const conn = await connect(values);
      const { result } = await api<Repo>(conn, "POST", `${nsPath(ns)}/repos`, body);
      print(format, { ...result, namespace: ns }, () =>
        [
          `${c("green", "Created")} repository ${c("bold", result.name)} in namespace ${ns}`,
          `  remote  ${result.remote}`,
          `  token   ${result.token} (write, shown once)`,
          ``,
          `Push to it:`,
          `  git -c http.extraHeader="Authorization: Bearer ${result.token}" push ${result.remote} main`,
        ].join("\n"),
      );
    },
  },
  {
    name: "repos list",
    summary: "List the repositories of a namespace",
    args: "[--namespace NS]",
    options: { ...NS },
    positionals: [0, 0],
    dryRun: "none",
    async run({ values, format }) {
      const ns = namespaceName(values.namespace);
      const conn = await connect(values);
      const repos = await all<Repo>(conn, `${nsPath(ns)}/repos`);
      print(format, repos, () => table(repos as unknown as Array<Record<string, unknown>>, ["name", "default_branch", "read_only", "last_push_at", "remote"]));
    },
  },
  {
    name: "repos get",
    summary: "Show one repository",
    args: "<name> [--namespace NS]",
    options: { ...NS },
    positionals: [1, 1],
    dryRun: "none",
    async run({ values, positionals, format }) {
      const name = repoName(positionals[0]);
      const ns = namespaceName(values.namespace);
      const conn = await connect(values);
      const { result } = await api<Record<string, unknown>>(conn, "GET", `${nsPath(ns)}/repos/${encodeURIComponent(name)}`);
      print(format, result, () =>
        Object.entries(result)
          .map(([k, v]) => `${k.padEnd(16)} ${v === null || v === undefined ? "-" : typeof v === "object" ? JSON.stringify(v) : String(v)}`)
          .join("\n"),
      );
    },
  },
  {
    name: "repos delete",
    summary: "Delete a repository and all its data",
    args: "<name> [--namespace NS] [--yes]",
    options: { ...NS, yes: { type: "boolean", short: "y" } },
    positionals: [1, 1],
    dryRun: "preview",
    async run({ values, positionals, format, dryRun }) {
      const name = repoName(positionals[0]);
      const ns = namespaceName(values.namespace);
      if (dryRun) return print(format, { dryRun: true, namespace: ns, wouldDelete: name }, () => `Would delete repository ${name} in namespace ${ns}`);
      if (!values.yes) {
        const noInput = Boolean(values["no-input"]) || process.env.ARTIFACTS_EMULATOR_NO_INPUT === "1" || !process.stdin.isTTY;
        if (noInput) throw usage(`Deleting repository ${name} cannot be undone; pass --yes to confirm in non-interactive mode.`);
        const { createInterface } = await import("node:readline/promises");
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const a = await rl.question(`Delete repository ${name} in namespace ${ns}? [y/N] `);
        rl.close();
        if (!/^y(es)?$/i.test(a.trim())) throw new CliError("Aborted.");
      }
      const conn = await connect(values);
      const { result } = await api<{ id: string }>(conn, "DELETE", `${nsPath(ns)}/repos/${encodeURIComponent(name)}`);
      print(format, { deleted: name, namespace: ns, id: result.id }, () => `Deleted repository ${name} in namespace ${ns}`);
    },
  },
  {
    name: "repos token",
    summary: "Mint a repo token for Git (prints the token and a clone command that keeps it out of .git/config)",
    args: "<name> [--scope read|write] [--ttl SECONDS] [--namespace NS]",
    options: { ...NS, scope: { type: "string" }, ttl: { type: "string" } },
    positionals: [1, 1],
    dryRun: "preview",
    async run({ values, positionals, format, dryRun }) {
      const name = repoName(positionals[0]);
      const ns = namespaceName(values.namespace);
      const scope = repoScope(values.scope);
      const ttl = repoTtl(values.ttl);
      if (dryRun)
        return print(format, { dryRun: true, namespace: ns, repo: name, scope, ttl }, () => `Would mint a ${scope} token for ${ns}/${name}, valid ${ttl} s`);
      const conn = await connect(values);
      const { result: repo } = await api<Repo>(conn, "GET", `${nsPath(ns)}/repos/${encodeURIComponent(name)}`);
      const { result } = await api<{ id: string; plaintext: string; scope: string; expires_at: string }>(conn, "POST", `${nsPath(ns)}/tokens`, {
        repo: name,
        scope,
        ttl,
      });
      const clone = cloneCommand(result.plaintext, repo.remote);
      print(format, { id: result.id, token: result.plaintext, scope: result.scope, expires_at: result.expires_at, remote: repo.remote, clone }, () =>
        [
          `${c("green", "Minted")} a ${result.scope} token for ${ns}/${name} (id ${result.id}, expires ${result.expires_at}):`,
          result.plaintext,
          ``,
          `Clone with it (the token stays out of .git/config):`,
          `  ${clone}`,
        ].join("\n"),
      );
    },
  },
  {
    name: "namespaces list",
    summary: "List namespaces",
    args: "",
    options: {},
    positionals: [0, 0],
    dryRun: "none",
    async run({ values, format }) {
      const conn = await connect(values);
      const rows = await all<Record<string, unknown>>(conn, "/namespaces");
      print(format, rows, () => table(rows, ["namespace", "repo_count", "created_at", "updated_at"]));
    },
  },
  {
    name: "whoami",
    summary: "Show which emulator and credential this command line uses",
    args: "",
    options: {},
    positionals: [0, 0],
    dryRun: "none",
    async run({ values, format }) {
      const conn = await connect(values);
      const { result } = await api<{ id: string; status: string }>(conn, "GET", "/client/v4/user/tokens/verify");
      const who = result.id === "admin" ? "operator" : `api-token:${result.id}`;
      const info = { principal: who, url: conn.url, accountId: conn.accountId, stateDir: stateFor(values).root };
      print(
        format,
        info,
        () =>
          `${c("bold", who)} on ${conn.url} (account ${conn.accountId})\nstate: ${info.stateDir}\nREST API for wrangler: CLOUDFLARE_API_BASE_URL=${conn.url}/client/v4 CLOUDFLARE_ACCOUNT_ID=${conn.accountId}\nNew API token: npx ${PROG} token create --scope artifacts:write`,
      );
    },
  },
];
