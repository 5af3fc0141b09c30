/**
 * Workers Vitest (@cloudflare/vitest-plugin 1.5 + vitest 4.1): `env.ARTIFACTS` in tests and in
 * `SELF` is the emulator, with no Cloudflare credentials (docs/integration.md "Workers Vitest").
 *
 *   // vitest.config.ts
 *   import { defineConfig } from "vitest/config";
 *   import { artifactsTest } from "artifacts-emulator/vitest";
 *   export default defineConfig({ plugins: [artifactsTest({ configPath: "./wrangler.jsonc" })] });
 *
 * Why not `wrangler: { configPath }`: the pool merges derived options with Object.assign, so an
 * `artifacts` binding cannot be removed and wins over a same-named service binding; and its bundled
 * Miniflare treats `artifacts` as remote-only (it would ask for CLOUDFLARE_API_TOKEN). So we derive
 * the options ourselves, swap the bindings, turn remote bindings off, and add the service Worker
 * with its own rootPath (a Worker inherits the runner's otherwise and workerd dies at startup).
 * The service also gets a socket of its own on a free loopback port (Miniflare's unsafeDirectSockets)
 * and that origin as PUBLIC_ORIGIN, so the remotes `create()` hands out answer the real git client.
 */
import { dirname, resolve } from "node:path";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { HTTP_BINDING, rewriteMiniflareWorker, type MiniflareWorkerLike } from "./glue.js";
import { SERVICE_NAME, serviceWorkerOptions } from "./service-worker.js";
import { freePort } from "./state.js";
import { environmentBlock, eventTriggers } from "./workflow-triggers.js";
import { readWranglerConfig } from "./wrangler-config.js";

type PoolOptions = Exclude<Parameters<typeof cloudflareTest>[0], (...a: never[]) => unknown>;

export interface ArtifactsTestOptions {
  /** The Worker's wrangler config, unchanged (it keeps its `artifacts` block). */
  configPath: string;
  /** A wrangler environment (`env.<name>` block). */
  environment?: string;
  /** Extra vars for the service Worker (e.g. EVENT_WEBHOOK_URLS, ACCOUNT_ID). */
  serviceVars?: Record<string, string>;
  /**
   * Route the service's `cf.artifacts.repo.*` event webhooks to this path of your Worker (as
   * `artifacts-emulator dev --artifacts-webhook /path` does): the service's outbound fetches go to
   * your Worker, so HTTPS imports do not reach the network in such a test run.
   */
  eventsWebhookPath?: string;
  /** The Vitest project's `test.name`, when set (the pool names its runner Worker after it). */
  projectName?: string;
  /** Loopback port of the service's own socket (Git remotes, REST); default: a free one. */
  port?: number;
  /** Merged over the derived pool options (e.g. `additionalExports`, `miniflare.bindings`). */
  extend?: Partial<PoolOptions>;
}

/** The pool options for a config: what `artifactsTest` hands to `cloudflareTest`. */
export function artifactsTestOptions(o: ArtifactsTestOptions & { port: number }): PoolOptions {
  const configPath = resolve(o.configPath);
  const { workerOptions, main } = unstable_getMiniflareWorkerOptions(configPath, o.environment);
  const consumer = rewriteMiniflareWorker(workerOptions as unknown as MiniflareWorkerLike) as Record<string, unknown>;
  // As in `artifacts-emulator dev`: the service's own fetch (Git remotes, REST) as env.ARTIFACTS_EMULATOR_HTTP,
  // for seeding repos in tests (see `pushFiles` in @artifacts-emulator/emulator/testing).
  consumer.serviceBindings = { ...(consumer.serviceBindings as Record<string, unknown>), [HTTP_BINDING]: { name: SERVICE_NAME } };
  const origin = `http://127.0.0.1:${o.port}`;
  const vars: Record<string, string> = { PUBLIC_ORIGIN: origin, IMPORT_ALLOW_ADDRESSES: "loopback", ...o.serviceVars };
  const service: Record<string, unknown> = serviceWorkerOptions(vars);
  // The plugin names its runner Worker (which serves SELF and defines the user's Workflows) after the project.
  const runner = `vitest-plugin-runner-${(o.projectName ?? "").replace(/[^a-z0-9-]/gi, "_")}`;
  if (o.eventsWebhookPath) {
    vars.EVENT_WEBHOOK_URLS = `http://artifacts-consumer.local${o.eventsWebhookPath.startsWith("/") ? "" : "/"}${o.eventsWebhookPath}`;
    // The pool's runner Worker serves the user's fetch handler (SELF); route outbound fetches there.
    service.outboundService = { name: runner };
  }
  // Workflow triggers: the service creates instances of the user's Workflows, which the pool's
  // runner Worker defines (docs/contract-choices.md "Workflow triggers").
  const raw = readWranglerConfig(configPath);
  const triggers = eventTriggers(environmentBlock(raw, o.environment), String(raw.name ?? ""));
  if (triggers.routes.length) {
    vars.EVENT_WORKFLOWS = JSON.stringify(triggers.routes);
    service.workflows = Object.fromEntries(triggers.workflows.map((w) => [w.binding, { name: w.name, className: w.className, scriptName: runner }]));
  }
  const scriptPath = service.scriptPath as string;
  const emulator = {
    ...service,
    rootPath: dirname(scriptPath),
    modulesRoot: dirname(scriptPath),
    bindings: vars,
    unsafeDirectSockets: [{ host: "127.0.0.1", port: o.port }],
  };
  const extend = o.extend ?? {};
  return {
    ...(main ? { main } : {}),
    remoteBindings: false,
    // The pool runs workerd with --verbose by default, which logs every error an RPC method
    // returns to its caller as "Uncaught (in promise)", even when the caller catches it (so an
    // expected ArtifactsError looked like a crash), and, when the pool shuts the runtime down,
    // "canceled this request because ... your Worker's code had hung" for the runner's own
    // connection (even after a test that does nothing). `extend: { verbose: true }` turns it back on.
    verbose: false,
    ...extend,
    miniflare: {
      ...consumer,
      ...(extend.miniflare ?? {}),
      workers: [emulator, ...((extend.miniflare?.workers as unknown[]) ?? [])],
    } as PoolOptions["miniflare"],
  } as PoolOptions;
}

/** The Vitest plugin: `cloudflareTest` with the emulator in place of every `artifacts` binding. */
export function artifactsTest(o: ArtifactsTestOptions): ReturnType<typeof cloudflareTest> {
  return cloudflareTest(async () => artifactsTestOptions({ ...o, port: o.port ?? (await freePort("127.0.0.1")) }));
}
