/**
 * `env.ARTIFACTS`: a WorkerEntrypoint bound to one namespace through `props` (or the NAMESPACE_NAME
 * var for tools that can only name a Worker). `get()` returns an RpcTarget handle that remembers
 * the repo id, so a handle to a deleted (or deleted and re-created) repo answers NOT_FOUND.
 */
import { RpcTarget, WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env.js";
import { invalidInput, toArtifactsError, repoNotFound } from "../errors.js";
import { invalidNamespaceMessage, isValidName } from "../names.js";
import { NamespaceService } from "../service.js";
import { bindingPrincipal } from "../auth/principals.js";
import { log } from "../util/log.js";
import { listedStatus } from "../namespace/namespace-object.js";
import { checkFileArgs, checkHash, checkLogOpts, checkRepoName } from "../validate.js";

export interface BindingProps {
  namespace?: string;
}

/** Run a method and surface only ArtifactsErrors (anything else becomes INTERNAL_ERROR). */
async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toArtifactsError(e);
  }
}

/** Once per isolate is enough: the warning is about configuration, not about a request. */
let warnedNoOrigin = false;

/**
 * The origin of `remote` URLs in binding answers. A binding call has no request to take it from,
 * so it is configuration: the emulator sets PUBLIC_ORIGIN; a deployed service must set it too.
 */
function originOf(env: Env): string {
  if (env.PUBLIC_ORIGIN) return env.PUBLIC_ORIGIN.replace(/\/+$/, "");
  if (!warnedNoOrigin) {
    warnedNoOrigin = true;
    log(
      "warn",
      "PUBLIC_ORIGIN is not set: remote URLs in binding answers use http://127.0.0.1:8787; set it to the service's public origin (docs/self-hosting.md)",
    );
  }
  return "http://127.0.0.1:8787";
}

export class ArtifactsRepoHandle extends RpcTarget {
  constructor(
    private readonly svc: NamespaceService,
    private readonly id: string,
    private readonly name: string,
  ) {
    super();
  }

  private stub() {
    return this.svc.reads(this.id);
  }

  /** Every call re-checks that the repo still exists (docs/contract.md "Repo handle" info). */
  private async alive() {
    const meta = await this.stub().info();
    if (!meta) throw repoNotFound(this.name);
    return meta;
  }

  info() {
    return guard(async () => {
      const m = await this.svc.info(this.id, this.name);
      return {
        id: m.id,
        name: m.name,
        description: m.description,
        defaultBranch: m.defaultBranch,
        createdAt: m.createdAt,
        updatedAt: m.updatedAt,
        lastPushAt: m.lastPushAt,
        source: m.source,
        readOnly: m.readOnly,
        remote: m.remote,
      };
    });
  }
  createToken(scope?: "write" | "read", ttl?: number) {
    return guard(() => this.svc.createToken(this.id, this.name, scope, ttl));
  }
  listTokens() {
    return guard(async () => {
      await this.alive();
      return this.stub().listTokens();
    });
  }
  revokeToken(tokenOrId: string) {
    return guard(() => this.svc.revokeToken(this.id, this.name, tokenOrId));
  }
  // Arguments are checked before the repo's existence, on every method (docs/contract-choices.md).
  readBlob(hash: string) {
    return guard(async () => {
      checkHash(hash);
      await this.alive();
      // A Blob crosses the Durable Object RPC hop as a real Blob; only its static type is a stub.
      return (await this.stub().readBlob(hash)) as Blob | null;
    });
  }
  readTree(hash: string) {
    return guard(async () => {
      checkHash(hash);
      await this.alive();
      return this.stub().readTree(hash);
    });
  }
  readCommit(hash: string) {
    return guard(async () => {
      checkHash(hash);
      await this.alive();
      return this.stub().readCommit(hash);
    });
  }
  readFile(args: { ref: string; path: string }) {
    return guard(async () => {
      const { ref, path } = checkFileArgs(args);
      await this.alive();
      return (await this.stub().readFile(ref, path)) as Blob | null;
    });
  }
  log(opts?: { ref?: string; limit?: number; offset?: number }) {
    return guard(async () => {
      checkLogOpts(opts);
      await this.alive();
      return this.stub().log(opts);
    });
  }
  fork(name: string, opts?: { description?: string; readOnly?: boolean; defaultBranchOnly?: boolean }) {
    // The service checks the target and options first, then that the source is this handle's repo.
    return guard(async () => {
      const { objects: _objects, ...result } = await this.svc.fork(this.name, name, opts, this.id);
      return result;
    });
  }
  [Symbol.dispose]() {}
}

export class ArtifactsBinding extends WorkerEntrypoint<Env, BindingProps> {
  protected service(): NamespaceService {
    const namespace = this.ctx.props?.namespace ?? this.env.NAMESPACE_NAME ?? "default";
    // A namespace REST could never reach is a configuration error, refused on every call (docs/contract.md "Names").
    if (!isValidName(namespace)) throw invalidInput(invalidNamespaceMessage(namespace));
    return new NamespaceService(this.env, namespace, bindingPrincipal(namespace), originOf(this.env));
  }

  create(name: string, opts?: { readOnly?: boolean; description?: string; setDefaultBranch?: string }) {
    return guard(() => this.service().create(name, opts));
  }

  get(name: string) {
    return guard(async () => {
      const svc = this.service();
      const rec = await svc.record(checkRepoName(name));
      return new ArtifactsRepoHandle(svc, rec.id, rec.name);
    });
  }

  import(params: { source: { url: string; branch?: string; depth?: number }; target: { name: string; opts?: { description?: string; readOnly?: boolean } } }) {
    return guard(() => this.service().import(params));
  }

  list(opts?: { limit?: number; cursor?: string }) {
    return guard(async () => {
      const svc = this.service();
      const [r, ns] = await Promise.all([svc.list(opts), svc.account().getNamespace(svc.namespace)]);
      // Like the simulator: list entries carry status and the namespace's jurisdiction (docs/contract.md "Namespace methods", "Open questions" 9).
      const jurisdiction = ns?.jurisdiction ?? "unrestricted";
      return {
        repos: r.repos.map(({ status, namespace: _n, ...info }) => ({ ...info, status: listedStatus(status), jurisdiction })),
        total: r.total,
        ...(r.cursor ? { cursor: r.cursor } : {}),
      };
    });
  }

  delete(name: string) {
    return guard(async () => (await this.service().delete(name)).deleted);
  }
}
