// `env` from cloudflare:test is Cloudflare.Env: the Worker's own Env.
type ScratchEnv = import("../src/index.js").Env;
declare namespace Cloudflare {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging: Cloudflare.Env becomes the Worker's Env
  interface Env extends ScratchEnv {}
}
