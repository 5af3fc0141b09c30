/**
 * The one place Durable Object ids are derived from names. A repository's object is keyed by
 * namespace and repo id (never its name), so a deleted and re-created name never reaches old
 * data; a namespace's object by its name; the account object is a singleton.
 */
import type { Env } from "./env.js";

export const namespaceStub = (env: Pick<Env, "NAMESPACE">, namespace: string) => env.NAMESPACE.get(env.NAMESPACE.idFromName(namespace));
export const repoStub = (env: Pick<Env, "REPO">, namespace: string, repoId: string) => env.REPO.get(env.REPO.idFromName(`${namespace}/${repoId}`));
export const accountStub = (env: Pick<Env, "ACCOUNT">) => env.ACCOUNT.get(env.ACCOUNT.idFromName("account"));
