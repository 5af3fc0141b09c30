/** `serve` bin: the engine's dev server on loopback. Usage: serve [--port N] [--host H] [--quiet] */
import { startDevServer } from "./server.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(arg("port") ?? process.env.PORT ?? 8788);
const host = arg("host") ?? "127.0.0.1";
const quiet = process.argv.includes("--quiet");
const server = await startDevServer({ port, host, ...(quiet ? {} : { log: (l: string) => console.error(l) }) });
console.log(`artifacts git dev server listening on ${server.url}`);
console.log(`push to create a repository:  git push ${server.url}/<name>.git main`);
const stop = () => void server.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
