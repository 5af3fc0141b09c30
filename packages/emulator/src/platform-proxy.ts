/**
 * `getArtifactsPlatformProxy`: wrangler's `getPlatformProxy` for Node scripts, with `env.ARTIFACTS`
 * served by the emulator (getPlatformProxy itself has no binding override and always gives the
 * built-in simulator; docs/integration.md "getPlatformProxy"). Built on Miniflare 5 with the options wrangler derives
 * from the config (`unstable_getMiniflareWorkerOptions`), so the other bindings are wrangler's own.
 * Git remotes and the REST API answer on a loopback port (`remotePrefix`), persisted like wrangler.
 */
import { dirname, join, resolve } from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { rewriteMiniflareWorker, type MiniflareWorkerLike } from "./glue.js";
import { serviceWorkerOptions } from "./service-worker.js";
import { StateDir, choosePort, freePort, readyOnPort } from "./state.js";

export interface ArtifactsPlatformProxyOptions {
  configPath?: string;
  environment?: string;
  /** Like getPlatformProxy: true (default) = `.wrangler/state` next to the config; false = memory; or a path. */
  persist?: boolean | { path: string };
  /** Port for Git remotes and the REST API (default: the last one used for this state, else 8787, else any). */
  port?: number;
  /** Extra vars for the service Worker (e.g. EVENT_WEBHOOK_URLS). */
  serviceVars?: Record<string, string>;
}

export interface ArtifactsPlatformProxy<Env = Record<string, unknown>> {
  env: Env;
  cf: Record<string, unknown>;
  ctx: { waitUntil(p: Promise<unknown>): void; passThroughOnException(): void; props: Record<string, unknown> };
  caches: unknown;
  /** e.g. http://127.0.0.1:8787 — remotes are `${origin}/git/<namespace>/<repo>.git`. */
  origin: string;
  remotePrefix: string;
  dispose(): Promise<void>;
}

export async function getArtifactsPlatformProxy<Env = Record<string, unknown>>(o: ArtifactsPlatformProxyOptions = {}): Promise<ArtifactsPlatformProxy<Env>> {
  const configPath = resolve(o.configPath ?? "wrangler.jsonc");
  const { workerOptions } = unstable_getMiniflareWorkerOptions(configPath, o.environment);
  const consumer = rewriteMiniflareWorker(workerOptions as unknown as MiniflareWorkerLike) as Record<string, unknown>;
  // As getPlatformProxy: the bindings without the Worker's code. Durable Objects implemented by the
  // Worker itself cannot run without it, so only those of other Workers are kept.
  const dos = (consumer.durableObjects ?? {}) as Record<string, unknown>;
  consumer.durableObjects = Object.fromEntries(
    Object.entries(dos).filter(([, d]) => typeof d === "object" && d !== null && "scriptName" in d && (d as { scriptName?: string }).scriptName),
  );
  // The placeholder script needs no module rules (Miniflare 5's V4 adapter refuses them with a script).
  delete consumer.modulesRules;
  consumer.name ??= "worker";
  const persist = o.persist ?? true;
  const state =
    persist === false ? undefined : new StateDir(typeof persist === "object" ? persist.path : join(dirname(configPath), ".wrangler/state"), process.cwd());
  const host = "127.0.0.1";
  let port = state ? await choosePort(state, host, o.port) : (o.port ?? 0);
  if (!port) port = await freePort(host);
  const start = (at: number) => {
    const vars = { PUBLIC_ORIGIN: `http://${host}:${at}`, ...o.serviceVars };
    return new Miniflare(
      convertV4MiniflareOptions({
        host,
        port: at,
        ...(state ? { resourcePersistencePath: state.resourceRoot } : {}),
        // The service first: Miniflare's HTTP port goes to the first Worker (Git remotes, REST API).
        workers: [serviceWorkerOptions(vars), { ...consumer, modules: true, script: "export default {}" }],
      } as never),
    );
  };
  const { mf, ready } = await readyOnPort(port, o.port, host, start);
  if (state) state.savePort(Number(ready.port));
  const origin = ready.origin;
  const env = (await mf.getBindings(consumer.name as string)) as Env;
  return {
    env,
    cf: {},
    ctx: { waitUntil() {}, passThroughOnException() {}, props: {} },
    caches: undefined,
    origin,
    remotePrefix: `${origin}/git/`,
    dispose: () => mf.dispose(),
  };
}
