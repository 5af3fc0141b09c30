/**
 * wrangler 4.164's `createTestHarness` (integration.md §2.2): its `bindingOverrides` can only name a
 * Worker, so the consumer's ARTIFACTS binding points at the service Worker's *default* export (the
 * same binding surface plus fetch), whose namespace comes from its NAMESPACE_NAME var.
 *
 *   import { createTestHarness } from "wrangler";
 *   import { artifactsHarnessWorker } from "@artifacts-emulator/emulator/harness";
 *   const server = createTestHarness({ workers: [
 *     { configPath: "./wrangler.jsonc", bindingOverrides: { ARTIFACTS: "artifacts-emulator" } },
 *     artifactsHarnessWorker({ namespace: "default" }),
 *   ] });
 *
 * One namespace per harness (a second namespace needs a second service Worker, which the harness
 * cannot rename); the harness runs with persist: false.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { SERVICE_NAME } from "./service-worker.js";

export interface HarnessWorkerOptions {
  /** The namespace your config's `artifacts` block names. */
  namespace: string;
  /** Extra vars for the service (e.g. PUBLIC_ORIGIN, EVENT_WEBHOOK_URLS). */
  vars?: Record<string, string>;
}

/** The service Worker's entry for `createTestHarness({ workers: [...] })`; its name is `artifacts-emulator`. */
export function artifactsHarnessWorker(o: HarnessWorkerOptions): { configPath: string; vars: Record<string, string> } {
  const require = createRequire(import.meta.url);
  const configPath = join(dirname(require.resolve("@artifacts-emulator/binding/package.json")), "wrangler.jsonc");
  return { configPath, vars: { NAMESPACE_NAME: o.namespace, ...o.vars } };
}

export { SERVICE_NAME as ARTIFACTS_HARNESS_WORKER };
