/** The snapshot page: plain HTML, every value escaped. */
export interface Snapshot {
  repo: string;
  remote: string;
  ref: string;
  head: { hash: string; message: string; author: string; committedAt: string } | null;
  history: Array<{ hash: string; message: string; author: string; committedAt: string }>;
  files: Array<{ path: string; hash: string; type: string; size?: number; content?: string }>;
  truncated: boolean;
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function renderSnapshot(s: Snapshot): string {
  const e = escapeHtml;
  const history = s.history
    .map((c) => `<li><code>${e(c.hash.slice(0, 10))}</code> ${e(c.message.split("\n")[0] ?? "")} <small>— ${e(c.author)}, ${e(c.committedAt)}</small></li>`)
    .join("\n");
  const files = s.files.map((f) => `<li><code>${e(f.path)}</code>${f.size !== undefined ? ` <small>${f.size} bytes</small>` : ""}</li>`).join("\n");
  const contents = s.files
    .filter((f) => f.content !== undefined)
    .map((f) => `<section><h3><code>${e(f.path)}</code></h3><pre>${e(f.content!)}</pre></section>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${e(s.repo)} @ ${e(s.ref)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:2rem;max-width:60rem}pre{background:#f6f8fa;padding:1rem;overflow:auto}code{font-size:90%}</style></head>
<body>
<h1>${e(s.repo)} <small>@ ${e(s.ref)}</small></h1>
<p>Remote: <code>${e(s.remote)}</code></p>
${s.head ? `<p>Head <code>${e(s.head.hash)}</code>: ${e(s.head.message)} — ${e(s.head.author)}</p>` : "<p>Nothing pushed yet.</p>"}
<h2>History</h2><ol>${history}</ol>
<h2>Files${s.truncated ? " (first 500)" : ""}</h2><ul>${files}</ul>
${contents}
</body></html>
`;
}
