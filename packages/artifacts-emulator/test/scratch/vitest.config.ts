import { defineConfig } from "vitest/config";
import { artifactsTest } from "artifacts-emulator/vitest";

export default defineConfig({
  plugins: [artifactsTest({ configPath: "./wrangler.jsonc" })],
  test: { include: ["test/**/*.test.ts"] },
});
