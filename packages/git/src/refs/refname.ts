/**
 * git check-ref-format rules, as receive-pack applies them to pushed names: under refs/, no
 * component starting with "." or ending with ".lock", no "..", "@{", control characters, space,
 * ~ ^ : ? * [ \, no trailing "/" or ".", not "@", at most 1 KB (docs/git-protocol.md "Limits").
 */
export const MAX_REFNAME_LENGTH = 1024;

export function isValidRefName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_REFNAME_LENGTH) return false;
  if (!name.startsWith("refs/")) return false;
  if (name === "@" || name.endsWith("/") || name.endsWith(".")) return false;
  if (name.includes("..") || name.includes("@{") || name.includes("//")) return false;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we reject
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  for (const part of name.split("/")) {
    if (part === "" || part.startsWith(".") || part.endsWith(".lock")) return false;
  }
  return true;
}
