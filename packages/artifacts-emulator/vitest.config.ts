import { defineConfig } from "vitest/config";

// The outside-the-workspace test installs from the registry and runs wrangler dev twice (npm, pnpm).
export default defineConfig({ test: { include: ["test/*.test.ts"], testTimeout: 600_000, hookTimeout: 600_000 } });
