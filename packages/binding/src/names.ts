/**
 * The contract's rule for repo and namespace names (docs/contract.md "Names"), with no dependencies, so the emulator
 * can check the namespaces of a wrangler config at startup with the service's own rule
 * (`@artifacts-emulator/binding/names`, built to dist/names.js).
 */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_NAME_LENGTH = 63;

export function isValidName(name: unknown): name is string {
  return typeof name === "string" && name.length <= MAX_NAME_LENGTH && NAME_RE.test(name);
}

/** The simulator's startup error for a bad local namespace (docs/contract.md "Names"), shared by the binding and the emulator. */
export function invalidNamespaceMessage(namespace: unknown): string {
  return `Invalid local Artifacts namespace: ${typeof namespace === "string" ? namespace : JSON.stringify(namespace)}`;
}
