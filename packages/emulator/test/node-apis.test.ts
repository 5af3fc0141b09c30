/**
 * The Node-side surfaces on a plain consumer config: getArtifactsPlatformProxy (Miniflare 5, Git
 * remotes on a loopback port) and the createTestHarness recipe (wrangler 4.164) from the README.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness } from "wrangler";
import { getArtifactsPlatformProxy } from "../src/platform-proxy.js";
import { artifactsHarnessWorker } from "../src/harness.js";
import { StateDir, freePort } from "../src/state.js";
import { git } from "../src/testing-node.js";
import { pushFiles } from "../src/testing.js";

let dir: string;

// The slice of the binding's type these tests use (the package is typed for Node, not workerd).
interface Artifacts {
  create(name: string): Promise<{ remote: string; token: string }>;
  get(name: string): Promise<{
    info(): Promise<{ name: string }>;
    readFile(a: { ref: string; path: string }): Promise<Blob | null>;
    log(): Promise<Array<{ hash: string }>>;
  }>;
}

const worker = `export default {
  async fetch(request, env) {
    const name = new URL(request.url).searchParams.get("name");
    try {
      if (name) return Response.json(await env.ARTIFACTS.create(name));
      await env.ARTIFACTS.create("bad name!");
    } catch (e) {
      return Response.json({ name: e.name, code: e.code, numericCode: e.numericCode }, { status: 400 });
    }
    return new Response("ok");
  },
};
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "node-apis-"));
  await mkdir(join(dir, "src"));
  await writeFile(join(dir, "src", "index.js"), worker);
  await writeFile(
    join(dir, "wrangler.jsonc"),
    `{ "name": "consumer", "main": "src/index.js", "compatibility_date": "2025-06-01",
       "artifacts": [{ "binding": "ARTIFACTS", "namespace": "node-ns" }], "vars": { "GREETING": "hi" } }`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("getArtifactsPlatformProxy", () => {
  it('refuses a config whose namespace the service would not accept ("bad ns/x") at startup', async () => {
    const d = await mkdtemp(join(tmpdir(), "node-apis-badns-"));
    try {
      await writeFile(
        join(d, "wrangler.jsonc"),
        JSON.stringify({ name: "bad", compatibility_date: "2026-08-01", artifacts: [{ binding: "ARTIFACTS", namespace: "bad ns/x" }] }),
      );
      await expect(getArtifactsPlatformProxy({ configPath: join(d, "wrangler.jsonc"), persist: false })).rejects.toThrow(
        "Invalid local Artifacts namespace: bad ns/x",
      );
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });

  it("gives Node scripts env.ARTIFACTS (and the config's other bindings), with working remotes", async () => {
    const proxy = await getArtifactsPlatformProxy<{ ARTIFACTS: Artifacts; GREETING: string }>({ configPath: join(dir, "wrangler.jsonc"), persist: false });
    try {
      expect(proxy.env.GREETING).toBe("hi");
      const created = await proxy.env.ARTIFACTS.create("from-node");
      expect(created.remote).toBe(`${proxy.origin}/git/node-ns/from-node.git`);
      await expect(async () => await proxy.env.ARTIFACTS.create("bad name!")).rejects.toMatchObject({ code: "INVALID_REPO_NAME" });

      const pushed = await pushFiles({ remote: created.remote, token: created.token, files: { "a/b.txt": "node\n" } });
      const repo = await proxy.env.ARTIFACTS.get("from-node");
      const file = await repo.readFile({ ref: "main", path: "a/b.txt" });
      expect(await file!.text()).toBe("node\n");
      expect((await repo.log())[0]!.hash).toBe(pushed.commit);

      const clone = join(dir, "clone");
      expect((await git(["clone", "-q", created.remote, clone], { token: created.token })).code).toBe(0);
      expect(await readFile(join(clone, "a", "b.txt"), "utf8")).toBe("node\n");
    } finally {
      await proxy.dispose();
    }
  });

  it("persists like wrangler: .wrangler/state next to the config, same port next time", async () => {
    const configPath = join(dir, "wrangler.jsonc");
    // A last port of our own, not the shared default 8787 (dev.test.ts runs in parallel and wants it).
    new StateDir(join(dir, ".wrangler/state")).savePort(await freePort());
    const first = await getArtifactsPlatformProxy<{ ARTIFACTS: Artifacts }>({ configPath });
    const origin = first.origin;
    await first.env.ARTIFACTS.create("kept");
    await first.dispose();
    const second = await getArtifactsPlatformProxy<{ ARTIFACTS: Artifacts }>({ configPath });
    try {
      expect(second.origin).toBe(origin);
      expect((await (await second.env.ARTIFACTS.get("kept")).info()).name).toBe("kept");
    } finally {
      await second.dispose();
    }
  });
});

describe("createTestHarness recipe", () => {
  it("runs the consumer against the service Worker's default export", async () => {
    const server = createTestHarness({
      workers: [
        { configPath: join(dir, "wrangler.jsonc"), bindingOverrides: { ARTIFACTS: "artifacts-emulator" } },
        artifactsHarnessWorker({ namespace: "node-ns" }),
      ],
    });
    try {
      await server.listen();
      const created = (await (await server.fetch("/?name=harness")).json()) as { remote: string };
      expect(created.remote).toMatch(/\/git\/node-ns\/harness\.git$/);
      // an old consumer (2025-06-01) loses error codes across the harness's plain service binding
      const err = (await (await server.fetch("/")).json()) as { name: string };
      expect(err.name).toMatch(/Error/);
    } finally {
      await server.close();
    }
  });
});
