/** `serve` bin: the engine's dev server on loopback. Usage: serve [--port N] [--host H] [--quiet] [--max-object-bytes N] */
import { startDevServer } from "./server.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(arg("port") ?? process.env.PORT ?? 8788);
const host = arg("host") ?? "127.0.0.1";
const quiet = process.argv.includes("--quiet");
// --max-object-bytes N: the largest object a push may bring (the service's is 32 MiB).
const maxObject = Number(arg("max-object-bytes") ?? 0);
const git = maxObject > 0 ? { limits: { maxRefsPerPush: 1000, maxObjectSize: maxObject } } : undefined;
const server = await startDevServer({ port, host, ...(git ? { git } : {}), ...(quiet ? {} : { log: (l: string) => console.error(l) }) });
console.log(`artifacts git dev server listening on ${server.url}`);
console.log(`push to create a repository:  git push ${server.url}/<name>.git main`);
const stop = () => void server.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
