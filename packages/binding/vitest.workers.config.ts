/**
 * The workerd test project: tests under test/workers run inside workerd through
 * @cloudflare/vitest-plugin 1.5 (docs/integration.md "Workers Vitest"), here the engine's storage
 * conformance suite against SqlRepoStore on Durable Object SQLite.
 */
import { defineConfig } from "vitest/config";
import { cloudflareTest } from "@cloudflare/vitest-plugin";

export default defineConfig({
  plugins: [
    cloudflareTest(() => ({
      main: "./test/workers/store-worker.mts",
      // no remote proxy session: local only, no Cloudflare credentials (docs/integration.md "Workers Vitest")
      remoteBindings: false,
      miniflare: {
        // ≤ 2026-08-22: the newest date the pool's bundled workerd accepts
        compatibilityDate: "2026-08-01",
        compatibilityFlags: ["nodejs_compat"],
        durableObjects: { STORE: { className: "StoreObject", useSQLite: true } },
      },
    })),
  ],
  test: {
    include: ["test/workers/**/*.test.mts"],
    testTimeout: 60_000,
  },
});
