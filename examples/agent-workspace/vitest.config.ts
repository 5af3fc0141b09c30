// Workers Vitest: tests run inside workerd with env.ARTIFACTS served by the local emulator.
import { defineConfig } from "vitest/config";
import { artifactsTest } from "artifacts-emulator/vitest";

export default defineConfig({
  plugins: [artifactsTest({ configPath: "./wrangler.jsonc" })],
  test: { include: ["test/worker/**/*.test.ts"], testTimeout: 30_000 },
});
