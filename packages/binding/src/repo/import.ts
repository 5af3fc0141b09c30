/**
 * Import from a remote HTTPS Git repository with our own engine as the client (no `git` binary):
 * ls-refs, then one fetch of every wanted tip, streamed into the new repo's Durable Object.
 * Failures map to the contract's import errors (docs/contract.md "Namespace methods").
 */
import { lsRemote, fetchPack, RemoteError } from "@artifacts-emulator/git";
import { ArtifactsError, isArtifactsError, toArtifactsError } from "../errors.js";
import type { RepoObject } from "./repo-object.js";
import { log, redact } from "../util/log.js";

/** `depth` asks the remote for a shallow history; `shallow` is the boundary it reported (docs/contract.md "Namespace methods"). */
export async function importRepo(
  stub: DurableObjectStub<RepoObject>,
  url: URL,
  opts: { branch?: string; depth?: number },
): Promise<{ defaultBranch: string; objects: number; shallow: string[] }> {
  const headers: Record<string, string> = {};
  // Credentials in the URL are sent once as Basic auth and never stored (docs/contract.md "Namespace methods").
  if (url.username || url.password) headers.Authorization = `Basic ${btoa(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`)}`;
  const clean = new URL(url.href);
  clean.username = "";
  clean.password = "";
  try {
    const { refs, head } = await lsRemote(clean.href, { headers });
    let selected = refs;
    let defaultRef = head;
    if (opts.branch !== undefined) {
      const want = `refs/heads/${opts.branch}`;
      selected = refs.filter((r) => r.name === want);
      if (selected.length === 0) throw new ArtifactsError("NOT_FOUND", "Remote branch not found.");
      defaultRef = want;
    }
    if (opts.depth !== undefined && opts.branch === undefined && defaultRef) {
      // A shallow import is a single-branch clone, as `git clone --depth` is: the default branch,
      // and the tags that point at its tip (docs/contract-choices.md "Import depth").
      const tip = refs.find((r) => r.name === defaultRef);
      selected = tip ? refs.filter((r) => r.name === defaultRef || (r.name.startsWith("refs/tags/") && (r.peeled ?? r.oid) === tip.oid)) : [];
    }
    const defaultBranch = (defaultRef ?? "refs/heads/main").replace(/^refs\/heads\//, "");
    if (selected.length === 0) return { defaultBranch, objects: 0, shallow: [] };
    const { pack, shallow } = await fetchPack(
      clean.href,
      selected.map((r) => r.oid),
      { headers, ...(opts.depth !== undefined ? { depth: opts.depth } : {}) },
    );
    const { objects } = await stub.ingestPack(
      pack,
      selected.map((r) => ({ name: r.name, oid: r.oid })),
      `refs/heads/${defaultBranch}`,
    );
    return { defaultBranch, objects, shallow };
  } catch (e) {
    if (isArtifactsError(e)) throw toArtifactsError(e);
    if (e instanceof RemoteError) {
      if (e.kind === "auth") throw new ArtifactsError("REMOTE_AUTH_REQUIRED", "Authentication is required to access the remote repository.");
      if (e.kind === "not-found") throw new ArtifactsError("NOT_FOUND", "Remote repository not found.");
      if (e.kind === "not-git") throw new ArtifactsError("INVALID_URL", "The URL does not point to a git repository.");
    }
    if ((e as Error)?.message?.includes("Memory limit")) throw new ArtifactsError("MEMORY_LIMIT", "The repository is too large to import.");
    log("warn", "import failed", { origin: clean.origin, error: redact(String((e as Error)?.message ?? e)) });
    throw new ArtifactsError("UPSTREAM_UNAVAILABLE", "The upstream service is unavailable. Please retry.");
  }
}
