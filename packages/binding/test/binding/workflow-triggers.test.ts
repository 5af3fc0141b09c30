// docs/contract.md "Event subscriptions" item 2 and "Event subscriptions": events are delivered to Workflows as `create({ params: envelope })`,
// per route: its types, its namespace filter (exact) and repo-name filter (without regard to case),
// and its id as `metadata.eventSubscriptionId`. The routes come in EVENT_WORKFLOWS (the emulator
// derives them from the user's `triggers.events`); the Workflow is the user's, in its own Worker.
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import type { Artifacts } from "@cloudflare/workers-types/index.ts";
import { afterAll, beforeAll, expect, test } from "vitest";
import { COMPAT_DATE, serviceWorkerOptions } from "../support/service.js";

let mf: Miniflare;
let artifacts: Artifacts;

const CONSUMER = `
import { WorkflowEntrypoint } from "cloudflare:workers";
export class OnRepo extends WorkflowEntrypoint {
  async run(event, step) {
    const e = event.payload;
    await step.do("record", async () => {
      await this.env.SEEN.put(e.type + " " + e.source.repoName + " " + e.metadata.eventSubscriptionId, JSON.stringify(e));
    });
  }
}
export default { fetch() { return new Response(""); } };
`;

const A = "a".repeat(32);
const B = "b".repeat(32);
const C = "c".repeat(32);
const routes = [
  { id: A, binding: "EVENTS_WF_0", types: ["cf.artifacts.repo.created"] },
  { id: B, binding: "EVENTS_WF_0", types: ["cf.artifacts.repo.token.created"], namespace: "default", repoName: "ONLY" },
  { id: C, binding: "EVENTS_WF_0", types: ["cf.artifacts.repo.created"], namespace: "other" },
];

beforeAll(async () => {
  const service = serviceWorkerOptions({ EVENT_WORKFLOWS: JSON.stringify(routes) });
  mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      workers: [
        { ...service, workflows: { EVENTS_WF_0: { name: "on-repo", className: "OnRepo", scriptName: "consumer" } } },
        {
          name: "consumer",
          modules: true,
          script: CONSUMER,
          compatibilityDate: COMPAT_DATE,
          kvNamespaces: { SEEN: "seen" },
          workflows: { ON_REPO: { name: "on-repo", className: "OnRepo" } },
          serviceBindings: { ARTIFACTS: { name: "artifacts", entrypoint: "ArtifactsBinding", props: { namespace: "default" } } },
        },
      ],
    } as never),
  );
  await mf.ready;
  artifacts = (await mf.getBindings<{ ARTIFACTS: Artifacts }>("consumer")).ARTIFACTS;
});
afterAll(() => mf?.dispose());

test("each matching route creates a Workflow instance whose params are the envelope, with the route's id", async () => {
  await artifacts.create("only");
  await artifacts.create("else");
  const kv = await mf.getKVNamespace("SEEN", "consumer");
  const want = [`cf.artifacts.repo.created else ${A}`, `cf.artifacts.repo.created only ${A}`, `cf.artifacts.repo.token.created only ${B}`];
  let keys: string[] = [];
  // Delivery is fire and forget: wait (bounded) for the instances to run.
  for (let i = 0; i < 200 && keys.length < want.length; i++) {
    keys = (await kv.list()).keys.map((k) => k.name).sort();
    if (keys.length < want.length) await new Promise((r) => setTimeout(r, 100));
  }
  expect(keys).toEqual(want);
  const e = JSON.parse((await kv.get(`cf.artifacts.repo.created only ${A}`))!) as Record<string, any>;
  expect(e).toMatchObject({
    type: "cf.artifacts.repo.created",
    source: { type: "artifacts", namespace: "default", repoName: "only" },
    metadata: { accountId: "local", eventSubscriptionId: A, eventSchemaVersion: 1 },
  });
  expect(e.payload.repoId).toMatch(/^[0-9a-z]{16}$/);
});
