// `env` from cloudflare:test is Cloudflare.Env: the Worker's Env plus the emulator's HTTP binding (artifactsTest adds it).
type ReviewEnv = import("../../src/index.js").Env;
declare namespace Cloudflare {
  interface Env extends ReviewEnv {
    ARTIFACTS_EMULATOR_HTTP: Fetcher;
  }
}
