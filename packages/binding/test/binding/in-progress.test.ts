// docs/contract.md "Namespace methods" and "Error codes": an import or fork that is still filling its repo has its own state.
// get() and REST answer IMPORT_IN_PROGRESS (10302) / FORK_IN_PROGRESS (10303), list() shows the
// repo with status "importing" / "forking", delete() refuses with the same code, and updatedAt is
// the time an import completed. The import is held mid-flight by a proxy in front of its remote
// that keeps the pack request until the test releases it, so nothing here depends on timing.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { ADMIN_TOKEN, startService, type ServiceHandle } from "../support/service.js";
import { fails, pushOk } from "./helpers.js";

let svc: ServiceHandle;
let sb: GitSandbox;
let upstream: { remote: string; token: string };

beforeAll(async () => {
  svc = await startService({ vars: { ALLOW_HTTP_IMPORT: "1" } });
  sb = await GitSandbox.create("binding-inflight-");
  const dir = sb.path("src");
  await sb.ok(["init", "-q", dir]);
  const g = sb.client(dir);
  await g.commit("one", { "a.txt": "a\n" }, 1);
  await g.commit("two", { "b.txt": "b\n" }, 2);
  upstream = await svc.artifacts.create("upstream");
  await pushOk(sb, svc, dir, upstream, ["main"]);
}, 120_000);
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

/**
 * An HTTP proxy to the service that holds the first protocol-v2 `fetch` request (the pack) until
 * `release()`; `held` resolves once that request has arrived.
 */
async function holdingProxy(target: string): Promise<{ url: string; held: Promise<void>; release(): void; close(): Promise<void> }> {
  let arrived!: () => void;
  const held = new Promise<void>((r) => (arrived = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let holding = true;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (holding && req.method === "POST" && body.includes("command=fetch")) {
      holding = false;
      arrived();
      await released;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "host" && k !== "content-length") headers[k] = v;
    const up = await fetch(`${target}${req.url}`, { method: req.method!, headers, ...(body.length ? { body } : {}) });
    res.writeHead(up.status, Object.fromEntries(up.headers));
    res.end(Buffer.from(await up.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, held, release, close: () => new Promise((r) => server.close(() => r())) };
}

const rest = async (path: string, init: RequestInit = {}) => {
  const r = await fetch(`${svc.url}/client/v4/accounts/local/artifacts/namespaces/default${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
  });
  return {
    status: r.status,
    retry: r.headers.get("X-Should-Retry"),
    body: (await r.json()) as { success: boolean; result: any; errors: Array<{ code: number }> },
  };
};

const listed = async (name: string) =>
  (await svc.artifacts.list({ limit: 200 })).repos.find((r: { name: string }) => r.name === name) as (Record<string, unknown> & { status: string }) | undefined;

describe("an import in flight", () => {
  test("is IMPORT_IN_PROGRESS for get, REST, delete and a second claim of the name; listed as importing; updatedAt is its completion", async () => {
    const proxy = await holdingProxy(svc.url);
    try {
      const secret = upstream.token.split("?")[0]!;
      const url = `${proxy.url.replace("http://", `http://x:${secret}@`)}/git/default/upstream.git`;
      const totalBefore = (await svc.artifacts.list()).total;
      // Started over REST: Miniflare's Node proxy makes a binding's first call synchronously, which
      // would block this process, and with it the proxy that the import goes through.
      const importing = rest("/repos/imp/import", { method: "POST", body: JSON.stringify({ url }) });
      await proxy.held;

      await fails(() => svc.artifacts.get("imp"), "IMPORT_IN_PROGRESS");
      await fails(() => svc.artifacts.get("IMP"), "IMPORT_IN_PROGRESS");
      const got = await rest("/repos/imp");
      expect(got).toMatchObject({ status: 409, retry: "true", body: { success: false, errors: [{ code: 10302 }] } });
      const entry = await listed("imp");
      expect(entry).toMatchObject({ name: "imp", status: "importing", source: "git:" + url.replace(`x:${secret}@`, "") });
      expect((await svc.artifacts.list()).total).toBe(totalBefore + 1);
      const restList = await rest("/repos?limit=200");
      expect(restList.body.result.find((r: { name: string }) => r.name === "imp")).toMatchObject({ status: "importing" });
      await fails(() => svc.artifacts.delete("imp"), "IMPORT_IN_PROGRESS");
      expect(await rest("/repos/imp", { method: "DELETE" })).toMatchObject({ status: 409, body: { errors: [{ code: 10302 }] } });
      await fails(() => svc.artifacts.create("imp"), "IMPORT_IN_PROGRESS");
      await fails(() => svc.artifacts.import({ source: { url }, target: { name: "Imp" } }), "IMPORT_IN_PROGRESS");
      // Over Git the repo does not exist yet.
      const refs = await fetch(`${svc.url}/git/default/imp.git/info/refs?service=git-upload-pack`);
      expect(refs.status).toBe(404);
      await refs.body?.cancel();

      // Let the clock move past the creation millisecond before the import completes.
      await new Promise((r) => setTimeout(r, 5));
      proxy.release();
      expect(await importing).toMatchObject({ status: 201, body: { result: { name: "imp" } } });

      const repo = await svc.artifacts.get("imp");
      const info = await repo.info();
      expect(Date.parse(info.updatedAt)).toBeGreaterThan(Date.parse(info.createdAt));
      const after = await listed("imp");
      expect(after).toMatchObject({ status: "ready", updatedAt: info.updatedAt, createdAt: info.createdAt });
      expect((await rest("/repos/imp")).body.result).toMatchObject({ status: "ready", updated_at: info.updatedAt });
      expect(await svc.artifacts.delete("imp")).toBe(true);
    } finally {
      proxy.release();
      await proxy.close();
    }
  });
});

interface NsStub {
  reserve(namespace: string, meta: Record<string, unknown>, status?: string): Promise<{ staleId?: string }>;
  prune(now?: number): Promise<{ stale: number }>;
}

describe("a fork in flight", () => {
  test("is FORK_IN_PROGRESS for get, REST, delete and another fork to the name; listed as forking", async () => {
    // Phase 1 of a fork, exactly as the service makes it: the name is reserved as "forking" while
    // the new repo is filled. The fill itself has no hook to hold, so the test stops here.
    const ns = await svc.mf.getDurableObjectNamespace("NAMESPACE", "artifacts");
    const stub = ns.get(ns.idFromName("default")) as unknown as NsStub;
    const now = new Date().toISOString();
    const meta = {
      id: "forkinflight0001",
      name: "forked",
      namespace: "default",
      description: null,
      defaultBranch: "main",
      createdAt: now,
      updatedAt: now,
      lastPushAt: null,
      source: "artifacts:default/upstream",
      readOnly: false,
    };
    expect(await stub.reserve("default", meta, "forking")).toEqual({});

    await fails(() => svc.artifacts.get("forked"), "FORK_IN_PROGRESS");
    expect(await rest("/repos/forked")).toMatchObject({ status: 409, retry: "true", body: { errors: [{ code: 10303 }] } });
    expect(await listed("forked")).toMatchObject({ name: "forked", status: "forking", source: "artifacts:default/upstream" });
    await fails(() => svc.artifacts.delete("forked"), "FORK_IN_PROGRESS");
    const src = await svc.artifacts.get("upstream");
    await fails(() => src.fork("forked"), "FORK_IN_PROGRESS");
    expect(await rest("/repos/upstream/fork", { method: "POST", body: JSON.stringify({ name: "FORKED" }) })).toMatchObject({
      status: 409,
      body: { errors: [{ code: 10303 }] },
    });

    // A fork that never finishes is swept like any abandoned reservation.
    expect((await stub.prune(Date.now() + 11 * 60_000)).stale).toBe(1);
    await fails(() => svc.artifacts.get("forked"), "NOT_FOUND");
    expect(await listed("forked")).toBeUndefined();
  });

  test("a completed fork is ready and listed as ready", async () => {
    const src = await svc.artifacts.get("upstream");
    const f = await src.fork("fork-done");
    expect(await listed(f.name)).toMatchObject({ status: "ready" });
  });
});
