/**
 * The emulator's one piece of glue (docs/integration.md "Binding substitution"): in options derived from a user's
 * wrangler config, replace each `artifacts` binding with a service binding to our entrypoint in
 * the same workerd (namespace in props), and give old consumers the flag that keeps
 * ArtifactsError codes across RPC. No git logic and no auth logic here.
 */
import { invalidNamespaceMessage, isValidName } from "@artifacts-emulator/binding/names";
import { ENTRYPOINT, ERROR_SERIALIZATION_DATE, SERVICE_NAME } from "./service-worker.js";

export interface ArtifactsBindingConfig {
  binding: string;
  namespace: string;
  /** wrangler's "use the deployed service": never emulated (see docs/contract-choices.md). */
  remote?: boolean;
}

/** Miniflare V4 worker options (as from wrangler's unstable_getMiniflareWorkerOptions). */
export interface MiniflareWorkerLike {
  artifacts?: Record<string, { namespace: string }>;
  serviceBindings?: Record<string, unknown>;
  compatibilityDate?: string;
  compatibilityFlags?: string[];
  [k: string]: unknown;
}

export function withErrorSerialization(compatibilityDate: string | undefined, flags: string[] = []): string[] {
  const old = !compatibilityDate || compatibilityDate < ERROR_SERIALIZATION_DATE;
  return old && !flags.includes("enhanced_error_serialization") ? [...flags, "enhanced_error_serialization"] : flags;
}

/**
 * Every entry point's startup check of a configured namespace, with the service's own name rule:
 * a name REST could never reach (e.g. "bad ns/x") is refused, as the official simulator does.
 */
export function checkArtifactsNamespace(namespace: unknown): string {
  if (!isValidName(namespace)) throw new Error(invalidNamespaceMessage(namespace));
  return namespace;
}

export function serviceBindingFor(namespace: string) {
  checkArtifactsNamespace(namespace);
  return { name: SERVICE_NAME, entrypoint: ENTRYPOINT, props: { namespace } };
}

/** Miniflare shape: drop `artifacts`, add service bindings. Returns a new object. */
export function rewriteMiniflareWorker<T extends MiniflareWorkerLike>(w: T): Omit<T, "artifacts"> {
  const { artifacts = {}, ...rest } = w;
  const services = Object.fromEntries(Object.entries(artifacts).map(([name, { namespace }]) => [name, serviceBindingFor(namespace)]));
  return {
    ...rest,
    serviceBindings: { ...(rest.serviceBindings ?? {}), ...services },
    compatibilityFlags: Object.keys(services).length
      ? withErrorSerialization(rest.compatibilityDate as string | undefined, rest.compatibilityFlags as string[] | undefined)
      : rest.compatibilityFlags,
  } as Omit<T, "artifacts">;
}

/** Wrangler-config shape (for the generated sibling config of `artifacts-emulator dev`). */
export function rewriteWranglerConfig(config: Record<string, unknown>): Record<string, unknown> {
  const artifacts = (config.artifacts as ArtifactsBindingConfig[] | undefined) ?? [];
  const { artifacts: _drop, ...rest } = config;
  const services = [
    ...((rest.services as unknown[]) ?? []),
    ...artifacts.map((a) => ({
      binding: a.binding,
      service: SERVICE_NAME,
      entrypoint: ENTRYPOINT,
      props: { namespace: checkArtifactsNamespace(a.namespace) },
    })),
  ];
  const flags = withErrorSerialization(rest.compatibility_date as string | undefined, (rest.compatibility_flags as string[]) ?? []);
  return { ...rest, services, ...(artifacts.length ? { compatibility_flags: flags } : {}) };
}

/** The extra service binding the dev entry shim uses to reach the service's own `fetch` (Git + REST). */
export const HTTP_BINDING = "ARTIFACTS_EMULATOR_HTTP";

type Block = Record<string, unknown>;

/** One config block (top level or one `env.<name>`): artifacts → services, plus the HTTP binding and the flag. */
function rewriteDevBlock(block: Block, inherited: { date?: string | undefined; flags?: string[] | undefined }): Block {
  const all = (block.artifacts as ArtifactsBindingConfig[] | undefined) ?? [];
  // `remote: true` means the deployed service: such a binding stays for wrangler to handle.
  const artifacts = all.filter((a) => !a.remote);
  const remote = all.filter((a) => a.remote);
  const { artifacts: _drop, ...rest } = block;
  if (remote.length) rest.artifacts = remote;
  const services = [
    ...((rest.services as unknown[]) ?? []),
    ...artifacts.map((a) => ({
      binding: a.binding,
      service: SERVICE_NAME,
      entrypoint: ENTRYPOINT,
      props: { namespace: checkArtifactsNamespace(a.namespace) },
    })),
    { binding: HTTP_BINDING, service: SERVICE_NAME },
  ];
  const out: Block = { ...rest, services };
  if (artifacts.length) {
    const date = (rest.compatibility_date as string | undefined) ?? inherited.date;
    const flags = (rest.compatibility_flags as string[] | undefined) ?? inherited.flags ?? [];
    const next = withErrorSerialization(date, flags);
    if (next !== flags) out.compatibility_flags = next;
  }
  return out;
}

/**
 * The generated sibling config for `artifacts-emulator dev`: the user's raw config (same directory,
 * so every relative path still resolves) with every block's `artifacts` swapped for service bindings
 * and `main` pointed at the entry shim that serves Git remotes before the user's handler.
 */
export function rewriteWranglerConfigForDev(raw: Block, opts: { entry: string; baseDir?: string }): Block {
  const top = { date: raw.compatibility_date as string | undefined, flags: raw.compatibility_flags as string[] | undefined };
  const out = rewriteDevBlock(raw, {});
  out.main = opts.entry;
  if (opts.baseDir && raw.base_dir === undefined) out.base_dir = opts.baseDir;
  const envs = raw.env as Record<string, Block> | undefined;
  if (envs && typeof envs === "object") {
    out.env = Object.fromEntries(
      Object.entries(envs).map(([name, b]) => {
        const r = rewriteDevBlock(b ?? {}, top);
        if (b && b.main !== undefined) {
          r.main = opts.entry;
          if (opts.baseDir && b.base_dir === undefined) r.base_dir = opts.baseDir;
        }
        return [name, r];
      }),
    );
  }
  return out;
}
