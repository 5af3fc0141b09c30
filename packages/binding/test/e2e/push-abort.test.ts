// A push cut off by its client (issue 14, item 6): the half-received pack's quarantine is dropped
// as soon as the request is over, without waiting for a restart or an hourly sweep.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { request } from "node:http";
import { writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { GitSandbox, runProcess } from "@artifacts-emulator/git/testing/git";
import { createRepo, startRest, type RestService } from "../rest/support.js";

let svc: RestService;
let sb: GitSandbox;

beforeAll(async () => {
  svc = await startRest();
  sb = await GitSandbox.create("push-abort-");
});
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

async function quarantines(ns: string, id: string): Promise<number> {
  const repos = await svc.mf.getDurableObjectNamespace("REPO", "artifacts");
  const stub = repos.get(repos.idFromName(`${ns}/${id}`)) as unknown as { storageReport(): Promise<{ quarantines: number }> };
  return (await stub.storageReport()).quarantines;
}

async function until(what: string, cond: () => Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

const pkt = (s: string) => Buffer.concat([Buffer.from((s.length + 4).toString(16).padStart(4, "0")), Buffer.from(s)]);

describe("a push cut off by the client", () => {
  test("leaves no quarantine behind once its connection is gone", async () => {
    const repo = await createRepo(svc, "abort", "cut");
    const src = sb.path("src");
    await sb.ok(["init", "-q", "-b", "main", src]);
    const g = sb.client(src);
    for (let i = 0; i < 4; i++) await writeFile(g.path(`f${i}.bin`), randomBytes(2 * 1024 * 1024));
    const tip = await g.commit("big", {}, 1);
    const packBytes = (await runProcess("git", ["pack-objects", "--revs", "--stdout", "-q"], { cwd: src, input: `${tip}\n` }, sb.env())).stdoutBuffer!;
    expect(packBytes.length).toBeGreaterThan(4 * 1024 * 1024);
    const body = Buffer.concat([pkt(`${"0".repeat(40)} ${tip} refs/heads/main\0report-status side-band-64k agent=test\n`), Buffer.from("0000"), packBytes]);

    const url = new URL(`${svc.url}/git/abort/cut.git/git-receive-pack`);
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: "POST",
      headers: { "Content-Type": "application/x-git-receive-pack-request", "Content-Length": String(body.length), Authorization: `Bearer ${repo.token}` },
    });
    req.on("error", () => {});
    req.write(body.subarray(0, Math.floor(body.length / 2)));
    // The push has begun: its quarantine exists.
    await until("the push's quarantine", async () => (await quarantines("abort", repo.id)) > 0);
    req.destroy();
    await until("the quarantine to be dropped", async () => (await quarantines("abort", repo.id)) === 0);

    // Nothing reached the ref, and the repository takes the same push whole afterwards.
    const res = await fetch(`${svc.url}/git/abort/cut.git/git-receive-pack`, {
      method: "POST",
      headers: { "Content-Type": "application/x-git-receive-pack-request", Authorization: `Bearer ${repo.token}` },
      body,
    });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).toString("latin1")).toContain("ok refs/heads/main");
    expect(await quarantines("abort", repo.id)).toBe(0);
  });
});
