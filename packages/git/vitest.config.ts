import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // git-driven tests spawn many processes; keep files in one worker pool of 2 (CI has 2 cores)
    maxWorkers: 2,
  },
});
