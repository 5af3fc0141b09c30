// `env` from cloudflare:test is Cloudflare.Env: the Worker's own Env.
type ScratchEnv = import("../src/index.js").Env;
declare namespace Cloudflare {
  interface Env extends ScratchEnv {}
}
