import { defineConfig } from "vitest/config";

// One emulator and one Chromium for the whole file; the tests run in order and build on each other.
export default defineConfig({
  test: { include: ["test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false, sequence: { concurrent: false } },
});
