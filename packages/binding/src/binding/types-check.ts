/**
 * Compile-time proof that our entrypoint and repo handle match `Artifacts` and `ArtifactsRepo`
 * from @cloudflare/workers-types (no hand-copied types): `tsc` fails if a signature drifts.
 */
import type { ArtifactsBinding, ArtifactsRepoHandle } from "./entrypoint.js";

type Check<T extends true> = T;
type Same<A, B> = A extends B ? true : false;

export type BindingChecks = [
  Check<Same<ArtifactsBinding["create"], Artifacts["create"]>>,
  Check<Same<ArtifactsBinding["list"], Artifacts["list"]>>,
  Check<Same<ArtifactsBinding["delete"], Artifacts["delete"]>>,
  Check<Same<ArtifactsBinding["import"], Artifacts["import"]>>,
  Check<Same<Awaited<ReturnType<ArtifactsBinding["get"]>>, Omit<ArtifactsRepo, typeof Symbol.dispose>>>,
];

export type HandleChecks = [
  Check<Same<ArtifactsRepoHandle["info"], ArtifactsRepo["info"]>>,
  Check<Same<ArtifactsRepoHandle["createToken"], ArtifactsRepo["createToken"]>>,
  Check<Same<ArtifactsRepoHandle["listTokens"], ArtifactsRepo["listTokens"]>>,
  Check<Same<ArtifactsRepoHandle["revokeToken"], ArtifactsRepo["revokeToken"]>>,
  Check<Same<ArtifactsRepoHandle["readBlob"], ArtifactsRepo["readBlob"]>>,
  Check<Same<ArtifactsRepoHandle["readTree"], ArtifactsRepo["readTree"]>>,
  Check<Same<ArtifactsRepoHandle["readCommit"], ArtifactsRepo["readCommit"]>>,
  Check<Same<ArtifactsRepoHandle["readFile"], ArtifactsRepo["readFile"]>>,
  Check<Same<ArtifactsRepoHandle["log"], ArtifactsRepo["log"]>>,
  Check<Same<ArtifactsRepoHandle["fork"], ArtifactsRepo["fork"]>>,
];
