/**
 * @artifacts-emulator/binding: the Artifacts service as a Worker.
 * - `ArtifactsBinding`: the entrypoint consumers bind to as `env.ARTIFACTS` (namespace in props).
 * - default export: the same binding (for tools that can only name a Worker) plus `fetch` for
 *   Git remotes and the REST API.
 * - `RepoObject`, `NamespaceObject`, `AccountObject`: the Durable Objects holding all state.
 */
import { ArtifactsBinding } from "./binding/entrypoint.js";
import { handleHttp } from "./http/router.js";

export { ArtifactsBinding, ArtifactsRepoHandle } from "./binding/entrypoint.js";
export { RepoObject } from "./repo/repo-object.js";
export { NamespaceObject } from "./namespace/namespace-object.js";
export { AccountObject } from "./auth/account-object.js";
export { ArtifactsError, ERROR_CODES } from "./errors.js";

export default class ArtifactsWorker extends ArtifactsBinding {
  override async fetch(request: Request): Promise<Response> {
    return handleHttp(request, this.env);
  }
}
