/**
 * `artifacts-emulator dev` end to end (startDev is what the CLI runs): the real wrangler dev on a
 * TOML config with environments and a class-based (WorkerEntrypoint) default export, --env, --cwd,
 * --persist-to, the port kept across restarts, regeneration when the user's config changes, REST
 * through /cdn-cgi/artifacts with the operator token, and the real git client against the remote.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { linkWrangler, node } from "./support/project.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDev, wranglerEnv, type DevSession } from "../src/dev.js";
import { StateDir, freePort } from "../src/state.js";
import { git } from "../src/testing-node.js";
import { pushFiles } from "../src/testing.js";

let dir: string;
let state: string;
let session: DevSession | undefined;

const toml = (ns: string) => `name = "dev-fixture"
main = "src/index.ts"
compatibility_date = "2026-08-01"

[[artifacts]]
binding = "ARTIFACTS"
namespace = "top"

[env.staging]
[[env.staging.artifacts]]
binding = "ARTIFACTS"
namespace = "${ns}"
`;

const worker = `import { WorkerEntrypoint } from "cloudflare:workers";
export default class Fixture extends WorkerEntrypoint<{ ARTIFACTS: any }> {
  async fetch(request: Request) {
    const url = new URL(request.url);
    const name = url.searchParams.get("name") ?? "";
    try {
      if (url.pathname === "/create") return Response.json(await this.env.ARTIFACTS.create(name));
      if (url.pathname === "/info") return Response.json(await (await this.env.ARTIFACTS.get(name)).info());
      if (url.pathname === "/err") await this.env.ARTIFACTS.create("bad name!");
    } catch (e: any) {
      return Response.json({ name: e.name, code: e.code, numericCode: e.numericCode }, { status: 400 });
    }
    return new Response("fixture " + url.pathname);
  }
}
`;

async function start(extra: string[] = []): Promise<{ session: DevSession; line: string }> {
  let resolveLine!: (l: string) => void;
  const ready = new Promise<string>((r) => (resolveLine = r));
  const s = await startDev(["--cwd", dir, "--env", "staging", "--persist-to", state, ...extra], {
    stdio: "pipe",
    node,
    log: (l) => {
      if (l.includes("] ready in")) resolveLine(l);
    },
  });
  let out = "";
  s.child.stdout!.on("data", (b) => (out += b));
  s.child.stderr!.on("data", (b) => (out += b));
  try {
    const line = await Promise.race([
      ready,
      s.exited.then((c) => Promise.reject(new Error(`wrangler exited ${c}:\n${out}`))),
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`not ready:\n${out}`)), 60_000)),
    ]);
    return { session: s, line };
  } catch (e) {
    await s.stop("SIGTERM", 2000);
    throw e;
  }
}

const getJson = async (path: string) => {
  const r = await fetch(`${session!.origin}${path}`);
  return { status: r.status, body: (await r.json()) as Record<string, any> };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dev-fixture-"));
  state = join(dir, "state");
  // A last port of our own, not the shared default 8787 (node-apis.test.ts runs in parallel and wants it).
  new StateDir(state).savePort(await freePort());
  await mkdir(join(dir, "src"));
  await writeFile(join(dir, "src", "index.ts"), worker);
  await writeFile(join(dir, "wrangler.toml"), toml("stage-one"));
  await linkWrangler(dir);
  await git(["init", "-q", dir]);
});

afterAll(async () => {
  await session?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("artifacts-emulator dev", () => {
  it("runs wrangler without local observability unless the user turned it on", () => {
    expect(wranglerEnv({}).X_LOCAL_OBSERVABILITY).toBe("false");
    expect(wranglerEnv({ X_LOCAL_OBSERVABILITY: "true" }).X_LOCAL_OBSERVABILITY).toBe("true");
    expect(wranglerEnv({ WRANGLER_SEND_METRICS: "true" }, { CLOUDFLARE_CF_FETCH_ENABLED: "false" })).toMatchObject({
      WRANGLER_SEND_METRICS: "true",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    });
  });

  it("serves env.ARTIFACTS and Git remotes for the selected environment", async () => {
    const t0 = Date.now();
    ({ session } = await start());
    const startup = Date.now() - t0;
    console.log(`dev ready in ${startup} ms at ${session.origin}`);

    expect((await getJson("/err")).body).toEqual({ name: "ArtifactsError", code: "INVALID_REPO_NAME", numericCode: 10101 });
    const created = (await getJson("/create?name=one")).body;
    expect(created.remote).toBe(`${session.origin}/git/stage-one/one.git`);

    const pushed = await pushFiles({ remote: created.remote, token: created.token, files: { "hello.txt": "hi\n" }, message: "hello" });
    const clone = join(dir, "clone");
    const c = await git(["clone", "-q", created.remote, clone], { token: created.token });
    expect(c.code, c.stderr).toBe(0);
    expect(await readFile(join(clone, "hello.txt"), "utf8")).toBe("hi\n");
    expect((await git(["rev-parse", "HEAD"], { cwd: clone })).stdout.trim()).toBe(pushed.commit);
    // wrangler's local trace store is off (it recorded a span per SQLite call of the service: issue 13).
    expect(existsSync(join(state, "v3", "observability"))).toBe(false);

    // The user's config is untouched; the sibling is git-ignored; the shim lives under .wrangler/.
    expect(await readFile(join(dir, "wrangler.toml"), "utf8")).toBe(toml("stage-one"));
    const sibling = await readFile(join(dir, ".wrangler.artifacts-dev.json"), "utf8");
    expect(sibling).not.toMatch(/"artifacts"/);
    expect(existsSync(join(dir, ".wrangler", "artifacts-dev", "entry.mjs"))).toBe(true);
    expect((await git(["status", "--porcelain", "--ignored=no"], { cwd: dir })).stdout).not.toMatch(/artifacts-dev/);
  });

  it("serves the REST API under /cdn-cgi/artifacts to the operator token of the state directory", async () => {
    const admin = (await readFile(join(state, "artifacts", "admin-token"), "utf8")).trim();
    const url = `${session!.origin}/cdn-cgi/artifacts/client/v4/accounts/local/artifacts/namespaces/stage-one/repos`;
    expect((await fetch(url)).status).toBe(401);
    const r = await fetch(url, { headers: { Authorization: `Bearer ${admin}` } });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { result: Array<{ name: string }> };
    expect(body.result.map((x) => x.name)).toContain("one");
  });

  it("regenerates the sibling when the user's config changes (wrangler reloads)", async () => {
    await writeFile(join(dir, "wrangler.toml"), toml("stage-two"));
    let remote = "";
    for (let i = 0; i < 150 && !remote.includes("/stage-two/"); i++) {
      await new Promise((r) => setTimeout(r, 200));
      const r = await fetch(`${session!.origin}/create?name=two-${i}`).then(
        (x) => x.json() as Promise<Record<string, string>>,
        () => ({}) as Record<string, string>,
      );
      remote = r.remote ?? "";
    }
    expect(remote).toMatch(new RegExp(`^${session!.origin}/git/stage-two/two-\\d+\\.git$`));
  });

  it("keeps repos and the port across restarts", async () => {
    const before = session!.origin;
    expect(await session!.stop()).toBeTypeOf("number");
    // Back to the first namespace while stopped, so the restart serves it from its first request
    // (changing the file after the start makes wrangler reload, and the port is closed meanwhile).
    await writeFile(join(dir, "wrangler.toml"), toml("stage-one"));
    ({ session } = await start());
    expect(session.origin).toBe(before);
    const info = (await getJson("/info?name=one")).body;
    expect(info).toMatchObject({ name: "one", remote: `${before}/git/stage-one/one.git` });
    expect(info.lastPushAt).not.toBeNull();
  });
});
