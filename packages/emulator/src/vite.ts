/**
 * @cloudflare/vite-plugin 1.64 (+ vite 8): `env.ARTIFACTS` in `vite dev` served by the emulator
 * (docs/integration.md "Vite plugin"). The entry Worker's config customizer swaps each `artifacts` binding for a
 * service binding to the service Worker, added as an auxiliary Worker; with `gitRoutes` (default)
 * `main` becomes a generated module that re-exports yours and answers `/git/*` and
 * `/cdn-cgi/artifacts/*` from the service first, as under `artifacts-emulator dev`.
 *
 *   // vite.config.ts
 *   import { defineConfig } from "vite";
 *   import { cloudflare } from "@cloudflare/vite-plugin";
 *   import { withArtifactsEmulator } from "@artifacts-emulator/emulator/vite";
 *   export default defineConfig(({ command }) => ({
 *     server: { port: 5173, strictPort: true },
 *     plugins: [cloudflare(command === "serve" ? withArtifactsEmulator({ configPath: "./wrangler.jsonc" }) : { configPath: "./wrangler.jsonc" })],
 *   }));
 *
 * Only for `serve`: a build keeps the real `artifacts` binding.
 */
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { checkArtifactsNamespace, HTTP_BINDING, withErrorSerialization, type ArtifactsBindingConfig } from "./glue.js";
import { entryShim, writeIfChanged } from "./dev-files.js";
import { COMPATIBILITY_DATE, DURABLE_OBJECTS, ENTRYPOINT, SERVICE_NAME, serviceScriptPath } from "./service-worker.js";

/** The slice of @cloudflare/vite-plugin's PluginConfig this helper touches (kept structural, so the plugin stays optional). */
export interface VitePluginConfigLike {
  configPath?: string;
  config?: Record<string, unknown> | ((config: Record<string, unknown>) => Record<string, unknown> | void);
  auxiliaryWorkers?: unknown[];
  [k: string]: unknown;
}

export interface ViteArtifactsOptions {
  /** Origin in `remote` URLs: the Vite dev server's (default http://127.0.0.1:5173; use strictPort). */
  origin?: string;
  /** Serve Git remotes and REST on the Vite dev server through a generated entry module (default true). */
  gitRoutes?: boolean;
  /** Extra vars for the service Worker (e.g. EVENT_WEBHOOK_URLS). */
  serviceVars?: Record<string, string>;
}

export function withArtifactsEmulator<T extends VitePluginConfigLike>(pluginConfig: T, o: ViteArtifactsOptions = {}): T {
  const origin = (o.origin ?? "http://127.0.0.1:5173").replace(/\/+$/, "");
  const user = pluginConfig.config;
  const entry = (config: Record<string, unknown>) => {
    const changes = (typeof user === "function" ? user(config) : user) ?? {};
    Object.assign(config, changes);
    const artifacts = (config.artifacts as ArtifactsBindingConfig[] | undefined) ?? [];
    config.artifacts = [];
    config.services = [
      ...((config.services as unknown[]) ?? []),
      ...artifacts.map((a) => ({
        binding: a.binding,
        service: SERVICE_NAME,
        entrypoint: ENTRYPOINT,
        props: { namespace: checkArtifactsNamespace(a.namespace) },
      })),
      { binding: HTTP_BINDING, service: SERVICE_NAME },
    ];
    if (artifacts.length)
      config.compatibility_flags = withErrorSerialization(
        config.compatibility_date as string | undefined,
        (config.compatibility_flags as string[] | undefined) ?? [],
      );
    if (o.gitRoutes !== false && typeof config.main === "string") {
      const root = config.configPath ? dirname(config.configPath as string) : process.cwd();
      const userMain = resolve(root, config.main);
      // Vite will not load modules from dot-directories such as .wrangler/, and nothing should be
      // written into the project itself: the generated entry lives in the OS temp directory.
      const shim = join(tmpdir(), "artifacts-emulator-vite", createHash("sha256").update(root).digest("hex").slice(0, 16), "entry.mjs");
      writeIfChanged(shim, entryShim(shim, userMain));
      config.main = shim;
    }
  };
  const scriptPath = serviceScriptPath();
  const service = {
    config: () => ({
      name: SERVICE_NAME,
      main: scriptPath,
      compatibility_date: COMPATIBILITY_DATE,
      compatibility_flags: ["nodejs_compat"],
      durable_objects: { bindings: Object.entries(DURABLE_OBJECTS).map(([name, d]) => ({ name, class_name: d.className })) },
      migrations: [{ tag: "v1", new_sqlite_classes: Object.values(DURABLE_OBJECTS).map((d) => d.className) }],
      vars: { PUBLIC_ORIGIN: origin, ...o.serviceVars },
    }),
  };
  return { ...pluginConfig, config: entry, auxiliaryWorkers: [...(pluginConfig.auxiliaryWorkers ?? []), service] };
}
