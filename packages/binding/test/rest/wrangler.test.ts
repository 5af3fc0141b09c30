/**
 * The stock wrangler 4.164.0 CLI, unchanged, against the emulator's REST API:
 *   CLOUDFLARE_API_BASE_URL=<service>/client/v4 CLOUDFLARE_API_TOKEN=<local API token>
 *   CLOUDFLARE_ACCOUNT_ID=<any id> WRANGLER_SEND_METRICS=false CI=1 node22 wrangler.js artifacts …
 * then the real git pushing to the remote it printed with the token it issued. Wrangler needs
 * Node >= 22, which scripts/setup.sh installs at .tools/node22/bin/node.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GitSandbox, runProcess, type GitResult } from "@artifacts-emulator/git/testing/git";
import { ACCT, apiToken, call, createRepo, expectOk, repoUrl, startRest, type RestService } from "./support.js";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "../..");
const NODE22 = join(pkg, "../../.tools/node22/bin/node");
const WRANGLER = join(pkg, "node_modules/wrangler/bin/wrangler.js");

let svc: RestService;
let sb: GitSandbox;
let src: string;
let home: string;
let writeToken: string;
let readToken: string;

beforeAll(async () => {
  if (!existsSync(NODE22)) throw new Error(`Node 22 is missing at ${NODE22}: run \`bash scripts/setup.sh\` first (wrangler 4.164 refuses Node 20)`);
  svc = await startRest();
  writeToken = (await apiToken(svc, { name: "wrangler", scopes: ["artifacts:write"] })).value;
  readToken = (await apiToken(svc, { name: "wrangler-ro", scopes: ["artifacts:read"] })).value;
  home = await mkdtemp(join(tmpdir(), "wrangler-home-"));
  sb = await GitSandbox.create("rest-wrangler-");
  src = sb.path("src");
  await sb.ok(["init", "-q", src]);
  const c = sb.client(src);
  await c.commit("first", { "README.md": "# pushed by git\n" }, 1);
  await c.commit("second", { "src/a.ts": "export const a = 1;\n" }, 2);
});
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
  if (home) await rm(home, { recursive: true, force: true });
});

/** Runs `wrangler <args>` the way a user would, in an empty directory (no wrangler config). */
function wrangler(args: string[], env: Record<string, string> = {}, withAccount = true): Promise<GitResult> {
  return runProcess(
    NODE22,
    [WRANGLER, ...args],
    { cwd: home, timeoutMs: 60_000 },
    {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      CLOUDFLARE_API_BASE_URL: `${svc.url}/client/v4`,
      CLOUDFLARE_API_TOKEN: writeToken,
      ...(withAccount ? { CLOUDFLARE_ACCOUNT_ID: ACCT } : {}),
      WRANGLER_SEND_METRICS: "false",
      CI: "1",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
      // Node's on-disk compile cache: only makes the repeated CLI starts faster (~0.3 s each).
      NODE_COMPILE_CACHE: join(home, ".node-compile-cache"),
      ...env,
    },
  );
}

async function json<T>(args: string[], env?: Record<string, string>): Promise<T> {
  const r = await wrangler([...args, "--json"], env);
  if (r.code !== 0) throw new Error(`wrangler ${args.join(" ")} exited ${r.code}\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

const bearer = (t: string) => ["-c", `http.extraHeader=Authorization: Bearer ${t}`];
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

describe("wrangler artifacts", () => {
  test("repos create / get / list, namespaces list / get", async () => {
    // Independent commands run side by side: each CLI start costs a second or two.
    const [created, ro] = await Promise.all([
      json<Record<string, unknown>>(["artifacts", "repos", "create", "demo", "--namespace", "wr", "--description", "from wrangler"]),
      json<Record<string, unknown>>(["artifacts", "repos", "create", "ro", "--namespace", "wr", "--read-only", "--default-branch", "trunk"]),
    ]);
    expect(created).toMatchObject({ name: "demo", description: "from wrangler", default_branch: "main", remote: `${svc.url}/git/wr/demo.git` });
    expect(created.token).toMatch(/^art_v1_[0-9a-f]{40}\?expires=\d+$/);
    expect(ro).toMatchObject({ name: "ro", default_branch: "trunk" });

    const [got, list, nss, ns, table, details] = await Promise.all([
      json<Record<string, unknown>>(["artifacts", "repos", "get", "demo", "--namespace", "wr"]),
      json<Array<{ name: string; read_only: boolean }>>(["artifacts", "repos", "list", "--namespace", "wr"]),
      json<Array<{ namespace: string; repo_count: number }>>(["artifacts", "namespaces", "list"]),
      json(["artifacts", "namespaces", "get", "wr"]),
      // The human-readable forms render the same data.
      wrangler(["artifacts", "repos", "list", "--namespace", "wr"]),
      wrangler(["artifacts", "namespaces", "get", "wr"]),
    ]);
    expect(got).toMatchObject({ id: created.id, name: "demo", status: "ready", read_only: false, last_push_at: null, source: null, remote: created.remote });
    expect(list.map((r) => [r.name, r.read_only]).sort()).toEqual([
      ["demo", false],
      ["ro", true],
    ]);
    expect(nss).toContainEqual(expect.objectContaining({ namespace: "wr", repo_count: 2 }));
    expect(ns).toMatchObject({ namespace: "wr", repo_count: 2 });
    expect(table.code).toBe(0);
    expect(plain(table.stdout)).toMatch(/demo\s+│\s+main\s+│\s+false\s+│\s+ready/);
    expect(plain(details.stdout)).toMatch(/repo_count:\s+2/);
  });

  test("issue-token, then the real git pushes with it; a read token clones but cannot push; read-only repos refuse pushes", async () => {
    const [write, read, roToken, human, { remote }] = await Promise.all([
      json<{ id: string; plaintext: string; scope: string; expires_at: string }>([
        "artifacts",
        "repos",
        "issue-token",
        "demo",
        "--namespace",
        "wr",
        "--scope",
        "write",
        "--ttl",
        "600",
      ]),
      json<{ plaintext: string; scope: string }>(["artifacts", "repos", "issue-token", "demo", "--namespace", "wr", "--scope", "read"]),
      json<{ plaintext: string }>(["artifacts", "repos", "issue-token", "ro", "--namespace", "wr"]),
      wrangler(["artifacts", "repos", "issue-token", "demo", "--namespace", "wr", "--scope", "read"]),
      json<{ remote: string }>(["artifacts", "repos", "get", "demo", "--namespace", "wr"]),
    ]);
    expect(write).toMatchObject({ scope: "write", id: expect.stringMatching(/^[0-9a-z]{16}$/) });
    expect(Math.abs(Date.parse(write.expires_at) - Date.now() - 600_000)).toBeLessThan(30_000);
    // The human-readable form prints the token once, with its id.
    expect(plain(human.stdout)).toMatch(/Issued a read token for repo "demo" in namespace "wr"\.[\s\S]*plaintext:\s+art_v1_/);
    await sb.ok([...bearer(write.plaintext), "push", "-q", remote, "main"], { cwd: src });
    // The Basic form with the secret alone, as the docs show for URLs.
    const head = await sb.client(src).line(["rev-parse", "HEAD"]);
    const basic = remote.replace("http://", `http://x:${write.plaintext.split("?")[0]}@`);
    expect(await sb.ok(["ls-remote", basic, "refs/heads/main"])).toContain(head);

    const after = await json<{ last_push_at: string | null }>(["artifacts", "repos", "get", "demo", "--namespace", "wr"]);
    expect(after.last_push_at).not.toBeNull();
    const log = expectOk<Array<{ message: string }>>(await call(`${repoUrl(svc, "wr", "demo")}/log`));
    expect(log.map((c) => c.message)).toEqual(["second", "first"]);

    expect(read.scope).toBe("read");
    const dst = sb.path("clone");
    await sb.ok([...bearer(read.plaintext), "clone", "-q", remote, dst]);
    expect(await sb.client(dst).line(["rev-parse", "HEAD"])).toBe(head);
    const refused = await sb.run([...bearer(read.plaintext), "push", remote, "main:other"], { cwd: src });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/403/);

    const roPush = await sb.run([...bearer(roToken.plaintext), "push", `${svc.url}/git/wr/ro.git`, "main"], { cwd: src });
    expect(roPush.code).not.toBe(0);
    expect(roPush.stderr).toMatch(/read-only|403/);
  });

  test("repos delete --force, then get fails with the API's error", async () => {
    const del = await json(["artifacts", "repos", "delete", "demo", "--namespace", "wr", "--force"]);
    expect(del).toEqual({ deleted: true, name: "demo", namespace: "wr" });
    const gone = await wrangler(["artifacts", "repos", "get", "demo", "--namespace", "wr"]);
    expect(gone.code).not.toBe(0);
    expect(plain(gone.stderr + gone.stdout)).toMatch(/Repository not found: demo\. \[code: 10200\]/);
    const again = await wrangler(["artifacts", "repos", "delete", "demo", "--namespace", "wr", "-y"]);
    expect(again.code).not.toBe(0);
    expect(plain(again.stderr + again.stdout)).toMatch(/code: 10200/);
  });

  test("errors reach the user: INVALID_TTL, a read-only API token, a bad name", async () => {
    await createRepo(svc, "wr", "errs");
    const [ttl, ro, bad] = await Promise.all([
      wrangler(["artifacts", "repos", "issue-token", "errs", "--namespace", "wr", "--ttl", "30"]),
      wrangler(["artifacts", "repos", "create", "nope", "--namespace", "wr"], { CLOUDFLARE_API_TOKEN: readToken }),
      wrangler(["artifacts", "repos", "create", "bad.name!", "--namespace", "wr"]),
    ]);
    expect(ttl.code).not.toBe(0);
    expect(plain(ttl.stderr + ttl.stdout)).toMatch(/Invalid TTL 30[\s\S]*code: 10103/);
    expect(ro.code).not.toBe(0);
    expect(plain(ro.stderr + ro.stdout)).toMatch(/artifacts:write[\s\S]*code: 10000/);
    expect(plain(bad.stderr + bad.stdout)).toMatch(/Invalid repo name\. \[code: 10101\]/);
  });

  test("list pages past the first page (wrangler pages by ?page=N and total_count)", async () => {
    for (let i = 0; i < 60; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => createRepo(svc, "wr-big", `r${String(i + j).padStart(2, "0")}`)));
    const all = await json<Array<{ name: string }>>(["artifacts", "repos", "list", "--namespace", "wr-big"]);
    expect(all).toHaveLength(60);
    expect(new Set(all.map((r) => r.name)).size).toBe(60);
  });

  test("without CLOUDFLARE_ACCOUNT_ID wrangler finds the account through /accounts and /memberships; whoami works", async () => {
    const [r, who] = await Promise.all([wrangler(["artifacts", "namespaces", "get", "wr", "--json"], {}, false), wrangler(["whoami"], {}, false)]);
    if (r.code !== 0) throw new Error(r.stderr);
    expect(JSON.parse(r.stdout)).toMatchObject({ namespace: "wr" });
    expect(who.code).toBe(0);
    expect(plain(who.stdout)).toMatch(/You are logged in with an User API Token/);
  });

  test("every request wrangler made was answered with a 2xx, apart from the failures provoked above", () => {
    const lines = svc.logs.map(plain).filter((l) => / \/client\/v4\//.test(l));
    expect(lines.length).toBeGreaterThan(20);
    const failures = lines.filter((l) => !/ 2\d\d /.test(l));
    // Exactly: get and delete after delete (404 ×2), INVALID_TTL (400), the read-only token (403), the bad name (400).
    expect(failures.map((l) => l.replace(/^.*?\] /, "").replace(/ \(.*$/, "")).sort()).toEqual(
      [
        `GET /client/v4/accounts/${ACCT}/artifacts/namespaces/wr/repos/demo 404 Not Found`,
        `DELETE /client/v4/accounts/${ACCT}/artifacts/namespaces/wr/repos/demo 404 Not Found`,
        `POST /client/v4/accounts/${ACCT}/artifacts/namespaces/wr/tokens 400 Bad Request`,
        `POST /client/v4/accounts/${ACCT}/artifacts/namespaces/wr/repos 403 Forbidden`,
        `POST /client/v4/accounts/${ACCT}/artifacts/namespaces/wr/repos 400 Bad Request`,
      ].sort(),
    );
  });
});
