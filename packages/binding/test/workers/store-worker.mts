/**
 * The `main` Worker of the workerd test project (vitest.workers.config.ts): a test-only Durable
 * Object that builds the binding's SqlRepoStore over its own storage, as RepoObject does.
 */
import { DurableObject } from "cloudflare:workers";
import { SqlRepoStore } from "../../src/repo/sql-store.js";

export class StoreObject extends DurableObject {
  store = new SqlRepoStore(this.ctx.storage);
}

export default {
  async fetch(): Promise<Response> {
    return new Response("SqlRepoStore test worker");
  },
} satisfies ExportedHandler;
