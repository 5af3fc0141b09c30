export interface Env {
  ARTIFACTS: Artifacts;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const name = url.pathname.match(/^\/repos\/([\w.-]+)$/)?.[1];
    if (request.method === "POST" && name) {
      const repo = await env.ARTIFACTS.create(name);
      return Response.json({ name: repo.name, remote: repo.remote, token: repo.token }, { status: 201 });
    }
    return new Response("scratch worker\n");
  },
} satisfies ExportedHandler<Env>;
