/**
 * Workflow triggers from a wrangler config (wrangler 4.164 `triggers.events`): the routes and the
 * service Worker's Workflow bindings the Vitest helper wires, with the simulator's route ids, and
 * the startup error for a target Workflow the Worker does not define. Delivery itself is tested
 * against workerd in packages/binding/test/binding/workflow-triggers.test.ts.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventTriggers, environmentBlock } from "../src/workflow-triggers.js";
import { artifactsTestOptions } from "../src/vitest.js";

const sha32 = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32);

const config = {
  name: "consumer",
  main: "src/index.ts",
  compatibility_date: "2026-08-01",
  artifacts: [{ binding: "ARTIFACTS", namespace: "default" }],
  workflows: [
    { binding: "ON_PUSH", name: "on-push", class_name: "OnPush" },
    { binding: "OTHER", name: "elsewhere", class_name: "X", script_name: "another-worker" },
  ],
  triggers: {
    events: [
      { type: "cf.artifacts.repo.pushed", filter: { namespace: "default", repo_name: "app" }, targets: [{ type: "workflow", workflow_name: "on-push" }] },
      { type: "cf.artifacts.repo.created", targets: [{ type: "workflow", workflow_name: "on-push" }] },
      { type: "cf.artifacts.repo.created", targets: [{ type: "workflow", workflow_name: "on-push" }] },
    ],
  },
};

describe("eventTriggers", () => {
  it("one route per event entry and target, with the simulator's ids (duplicates re-hashed), one binding per Workflow", () => {
    const t = eventTriggers(config, "consumer");
    const pushed = sha32(
      JSON.stringify({ owner: "consumer", types: ["cf.artifacts.repo.pushed"], namespace: "default", repoName: "app", workflowName: "on-push" }),
    );
    const created = sha32(JSON.stringify({ owner: "consumer", types: ["cf.artifacts.repo.created"], workflowName: "on-push" }));
    expect(t.routes).toEqual([
      { id: pushed, binding: "ARTIFACTS_EVENTS_WF_0", types: ["cf.artifacts.repo.pushed"], namespace: "default", repoName: "app" },
      { id: created, binding: "ARTIFACTS_EVENTS_WF_0", types: ["cf.artifacts.repo.created"] },
      { id: sha32(`${created}:1`), binding: "ARTIFACTS_EVENTS_WF_0", types: ["cf.artifacts.repo.created"] },
    ]);
    expect(t.workflows).toEqual([{ binding: "ARTIFACTS_EVENTS_WF_0", name: "on-push", className: "OnPush" }]);
    expect(eventTriggers({ name: "x" }, "x")).toEqual({ routes: [], workflows: [] });
  });

  it("a target Workflow the Worker does not define, a bad type or filter, or no targets is an error at startup", () => {
    const one = (e: Record<string, unknown>) => () => eventTriggers({ ...config, triggers: { events: [e] } }, "consumer");
    expect(one({ type: "cf.artifacts.repo.created", targets: [{ type: "workflow", workflow_name: "missing" }] })).toThrow(
      /the Workflow "missing" is not defined by this Worker/,
    );
    expect(one({ type: "cf.artifacts.repo.created", targets: [{ type: "workflow", workflow_name: "elsewhere" }] })).toThrow(
      /"elsewhere" is not defined by this Worker/,
    );
    expect(one({ type: "cf.artifacts.repo.renamed", targets: [{ type: "workflow", workflow_name: "on-push" }] })).toThrow(/type must be one of/);
    expect(one({ type: "cf.artifacts.repo.created", filter: { repo_name: "" }, targets: [{ type: "workflow", workflow_name: "on-push" }] })).toThrow(
      /filter.repo_name must be a non-empty string/,
    );
    expect(one({ type: "cf.artifacts.repo.created", targets: [] })).toThrow(/targets must be a non-empty array/);
    expect(one({ type: "cf.artifacts.repo.created", targets: [{ type: "queue", workflow_name: "on-push" }] })).toThrow(/type must be "workflow"/);
  });

  it("an environment's own triggers and workflows replace the top level's", () => {
    const raw = { ...config, env: { staging: { triggers: { events: [] } } } };
    expect(eventTriggers(environmentBlock(raw, "staging"), "consumer").routes).toEqual([]);
    expect(eventTriggers(environmentBlock(raw), "consumer").routes).toHaveLength(3);
  });
});

describe("the Vitest helper", () => {
  it("gives the service Worker a Workflow binding into the pool's runner Worker and the routes; a bad target fails at startup", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-triggers-"));
    try {
      await writeFile(join(dir, "src.ts"), "export default {}");
      await writeFile(join(dir, "wrangler.json"), JSON.stringify({ ...config, main: "src.ts" }));
      const o = artifactsTestOptions({ configPath: join(dir, "wrangler.json"), projectName: "p1", port: 1 });
      const service = (o.miniflare as { workers: Array<Record<string, any>> }).workers[0]!;
      expect(service.workflows).toEqual({ ARTIFACTS_EVENTS_WF_0: { name: "on-push", className: "OnPush", scriptName: "vitest-plugin-runner-p1" } });
      expect(JSON.parse(service.bindings.EVENT_WORKFLOWS)).toEqual(eventTriggers(config, "consumer").routes);

      await writeFile(
        join(dir, "wrangler.json"),
        JSON.stringify({
          ...config,
          main: "src.ts",
          triggers: { events: [{ type: "cf.artifacts.repo.created", targets: [{ type: "workflow", workflow_name: "nope" }] }] },
        }),
      );
      // wrangler's own config check may say it first; either way startup fails naming the Workflow.
      expect(() => artifactsTestOptions({ configPath: join(dir, "wrangler.json"), port: 1 })).toThrow(/"nope"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
