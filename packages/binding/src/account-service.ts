/**
 * Account-wide operations (namespaces, API tokens), for the REST routes and the credential check:
 * the only code besides service.ts that talks to a Durable Object (the account's singleton). The
 * callers decide access with auth/policy.ts before calling; these are the account's own records.
 */
import type { Env } from "./env.js";
import type { ApiScope } from "./auth/account-object.js";
import { accountStub } from "./stubs.js";

export class AccountService {
  private readonly stub;

  constructor(env: Pick<Env, "ACCOUNT">) {
    this.stub = accountStub(env);
  }

  getNamespace(name: string) {
    return this.stub.getNamespace(name);
  }
  listNamespaces(limit: number, opts: { after?: string; offset?: number } = {}) {
    return this.stub.listNamespaces(limit, opts);
  }
  createNamespace(name: string, jurisdiction: string) {
    return this.stub.createNamespace(name, jurisdiction);
  }
  listApiTokens() {
    return this.stub.listApiTokens();
  }
  createApiToken(opts: { name: string; scopes: ApiScope[]; namespace?: string | null; ttlSeconds?: number | null; allowIps?: string[] }) {
    return this.stub.createApiToken(opts);
  }
  revokeApiToken(id: string) {
    return this.stub.revokeApiToken(id);
  }
  verifyApiToken(value: string) {
    return this.stub.verifyApiToken(value);
  }
}
