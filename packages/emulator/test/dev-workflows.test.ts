/**
 * `artifacts-emulator dev` with Workflow triggers (wrangler 4.164 `triggers.events`): the real
 * wrangler dev runs the user's Workflow, and the service creates an instance of it for each
 * matching `cf.artifacts.repo.*` event, with the envelope as params (docs/contract.md "Event subscriptions", "Event subscriptions").
 */
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDev, type DevSession } from "../src/dev.js";
import { StateDir, freePort } from "../src/state.js";
import { linkWrangler, node } from "./support/project.js";

let dir: string;
let session: DevSession | undefined;

const worker = `import { WorkflowEntrypoint } from "cloudflare:workers";
export class OnCreate extends WorkflowEntrypoint {
  async run(event, step) {
    await step.do("record", async () => {
      await this.env.SEEN.put(event.payload.type + " " + event.payload.source.repoName, JSON.stringify(event.payload));
    });
  }
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/create") return Response.json(await env.ARTIFACTS.create(url.searchParams.get("name")));
    if (url.pathname === "/seen") return Response.json((await env.SEEN.list()).keys.map((k) => k.name));
    return new Response("ok");
  },
};
`;

const config = {
  name: "wf-fixture",
  main: "src/index.js",
  compatibility_date: "2026-08-01",
  artifacts: [{ binding: "ARTIFACTS", namespace: "wf" }],
  kv_namespaces: [{ binding: "SEEN", id: "seen" }],
  workflows: [{ binding: "ON_CREATE", name: "on-create", class_name: "OnCreate" }],
  triggers: {
    events: [{ type: "cf.artifacts.repo.created", filter: { namespace: "wf", repo_name: "APP" }, targets: [{ type: "workflow", workflow_name: "on-create" }] }],
  },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dev-wf-"));
  const state = join(dir, "state");
  new StateDir(state).savePort(await freePort());
  await mkdir(join(dir, "src"));
  await writeFile(join(dir, "src", "index.js"), worker);
  await writeFile(join(dir, "wrangler.json"), JSON.stringify(config));
  await linkWrangler(dir);
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  session = await startDev(["--cwd", dir, "--persist-to", state], { stdio: "pipe", node, log: (l) => l.includes("] ready in") && ready() });
  let out = "";
  session.child.stdout!.on("data", (b) => (out += b));
  session.child.stderr!.on("data", (b) => (out += b));
  await Promise.race([
    isReady,
    session.exited.then((c) => Promise.reject(new Error(`wrangler exited ${c}:\n${out}`))),
    new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`not ready:\n${out}`)), 90_000)),
  ]);
});
afterAll(async () => {
  await session?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("artifacts-emulator dev: Workflow triggers", () => {
  it("creates an instance of the user's Workflow for each matching event, filters applied", async () => {
    for (const name of ["app", "other"]) expect((await fetch(`${session!.origin}/create?name=${name}`)).status).toBe(200);
    let seen: string[] = [];
    // Delivery is fire and forget: wait (bounded) for the instance to run.
    for (let i = 0; i < 300 && seen.length === 0; i++) {
      seen = (await (await fetch(`${session!.origin}/seen`)).json()) as string[];
      if (seen.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toEqual(["cf.artifacts.repo.created app"]);
  });

  it("a trigger whose target Workflow the Worker does not define fails at startup", async () => {
    const bad = await mkdtemp(join(tmpdir(), "dev-wf-bad-"));
    try {
      await mkdir(join(bad, "src"));
      await writeFile(join(bad, "src", "index.js"), worker);
      await writeFile(
        join(bad, "wrangler.json"),
        JSON.stringify({ ...config, triggers: { events: [{ type: "cf.artifacts.repo.created", targets: [{ type: "workflow", workflow_name: "missing" }] }] } }),
      );
      await linkWrangler(bad);
      await expect(startDev(["--cwd", bad, "--persist-to", join(bad, "state")], { stdio: "pipe", node, log: () => {} })).rejects.toThrow(/"missing"/);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});
