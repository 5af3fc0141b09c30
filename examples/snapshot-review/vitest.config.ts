// Workers Vitest: tests run inside workerd with env.ARTIFACTS served by the local emulator, and the
// emulator's cf.artifacts.repo.* events delivered to this Worker's webhook route.
import { defineConfig } from "vitest/config";
import { artifactsTest } from "artifacts-emulator/vitest";

export default defineConfig({
  plugins: [artifactsTest({ configPath: "./wrangler.jsonc", eventsWebhookPath: "/webhooks/artifacts" })],
  test: { include: ["test/worker/**/*.test.ts"], testTimeout: 30_000 },
});
