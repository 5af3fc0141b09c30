/** Git's error answers: one line of text, which git prints verbatim (never a stack trace). */
export const gitText = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body + "\n", { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
export const gitNotFound = () => gitText(404, "Not found");
/** 401 with a Basic challenge, so git asks for (or reports failing) credentials. */
export const gitUnauthorized = () => gitText(401, "Invalid Artifacts token", { "WWW-Authenticate": 'Basic realm="Artifacts"' });
