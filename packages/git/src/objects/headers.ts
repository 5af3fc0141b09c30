/**
 * The header block shared by commits and tags: "key value" lines, continuation lines starting with
 * a space, then a blank line and the message. Strings are latin1-decoded bytes (lossless).
 */
import { encodeLatin1 } from "../io/bytes.js";
import { GitFormatError } from "../errors.js";

export function parseHeaders(text: string, what: string): { headers: Array<[string, string]>; message: string } {
  const headers: Array<[string, string]> = [];
  let pos = 0;
  for (;;) {
    const nl = text.indexOf("\n", pos);
    if (nl < 0) throw new GitFormatError(`${what}: header block not terminated`);
    const line = text.slice(pos, nl);
    pos = nl + 1;
    if (line === "") break;
    if (line.startsWith(" ")) {
      const last = headers[headers.length - 1];
      if (!last) throw new GitFormatError(`${what}: continuation line without header`);
      last[1] += "\n" + line.slice(1);
      continue;
    }
    const sp = line.indexOf(" ");
    if (sp <= 0) throw new GitFormatError(`${what}: malformed header line`);
    headers.push([line.slice(0, sp), line.slice(sp + 1)]);
  }
  return { headers, message: text.slice(pos) };
}

export function serializeHeaders(headers: Array<[string, string]>, message: string): Uint8Array {
  let s = "";
  for (const [k, v] of headers) s += `${k} ${v.replace(/\n/g, "\n ")}\n`;
  return encodeLatin1(s + "\n" + message);
}
