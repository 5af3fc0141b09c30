/**
 * Reads of one repository (objects, files, history, refs, stats, tokens), for the binding's repo
 * handle and the REST read routes. Callers have authorized the read and resolved the repo id;
 * the repo object checks its arguments again and answers NOT_FOUND once the repo is gone.
 */
import type { Env } from "./env.js";
import { repoStub } from "./stubs.js";

export class RepoReads {
  private readonly stub;

  constructor(env: Pick<Env, "REPO">, namespace: string, repoId: string) {
    this.stub = repoStub(env, namespace, repoId);
  }

  info() {
    return this.stub.info();
  }
  readBlob(hash: string) {
    return this.stub.readBlob(hash);
  }
  readTree(hash: string) {
    return this.stub.readTree(hash);
  }
  readCommit(hash: string) {
    return this.stub.readCommit(hash);
  }
  readFile(ref: string, path: string) {
    return this.stub.readFile(ref, path);
  }
  fileBytes(ref: string, path: string) {
    return this.stub.fileBytes(ref, path);
  }
  log(opts?: unknown) {
    return this.stub.log(opts);
  }
  refs() {
    return this.stub.refs();
  }
  stats() {
    return this.stub.stats();
  }
  listTokens() {
    return this.stub.listTokens();
  }
  listTokensPage(state: "active" | "expired" | "revoked" | "all", page: number, perPage: number) {
    return this.stub.listTokensPage(state, page, perPage);
  }
}
