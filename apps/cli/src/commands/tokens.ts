/** Local REST API tokens: token create|list|revoke. */
import type { Command } from "../args.js";
import { print, table, usage } from "../output.js";
import { api, connect } from "../client.js";
import { allowIps, apiScopes, apiTtl, namespaceName } from "../rules.js";

export const tokenCommands: Command[] = [
  {
    name: "token create",
    summary: "Create a local REST API token (the secret is printed once)",
    args: "[--scope artifacts:read|artifacts:write]... [--namespace NS] [--ttl SECONDS] [--allow-ip CIDR]... [--name NAME]",
    options: {
      scope: { type: "string", multiple: true },
      namespace: { type: "string" },
      ttl: { type: "string" },
      "allow-ip": { type: "string", multiple: true },
      name: { type: "string" },
    },
    positionals: [0, 0],
    dryRun: "preview",
    async run({ values, format, dryRun }) {
      const scopes = apiScopes(values.scope);
      const ttl = apiTtl(values.ttl);
      const ns = values.namespace === undefined ? undefined : namespaceName(values.namespace);
      const body = {
        name: (values.name as string) ?? "cli token",
        scopes,
        ...(ns ? { namespace: ns } : {}),
        ...(ttl ? { ttl } : {}),
        allow_ips: allowIps(values["allow-ip"]),
      };
      if (dryRun) return print(format, { dryRun: true, wouldCreate: body }, () => `Would create API token ${JSON.stringify(body)}`);
      const conn = await connect(values);
      const { result } = await api<Record<string, unknown>>(conn, "POST", "/api-tokens", body);
      print(
        format,
        result,
        () =>
          `Created API token ${result.id} (${(result.scopes as string[]).join(", ")}${result.namespace ? `, namespace ${result.namespace}` : ""}${result.expires_at ? `, expires ${result.expires_at}` : ""}).\nToken (shown once):\n${result.value}`,
      );
    },
  },
  {
    name: "token list",
    summary: "List local REST API tokens (never their secrets)",
    args: "",
    options: {},
    positionals: [0, 0],
    dryRun: "none",
    async run({ values, format }) {
      const conn = await connect(values);
      const { result } = await api<Array<Record<string, unknown>>>(conn, "GET", "/api-tokens");
      print(format, result, () => table(result, ["id", "name", "status", "scopes", "namespace", "expires_at", "last_used_at"]));
    },
  },
  {
    name: "token revoke",
    summary: "Revoke a local REST API token by id",
    args: "<id>",
    options: {},
    positionals: [1, 1],
    dryRun: "preview",
    async run({ values, positionals, format, dryRun }) {
      const id = positionals[0]!;
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw usage(`"${id}" is not a token id (see \`token list\`).`);
      if (dryRun) return print(format, { dryRun: true, wouldRevoke: id }, () => `Would revoke API token ${id}`);
      const conn = await connect(values);
      await api(conn, "DELETE", `/api-tokens/${encodeURIComponent(id)}`);
      print(format, { revoked: id }, () => `Revoked API token ${id}`);
    },
  },
];
