/**
 * Errors of the Git layer. The binding maps them to ArtifactsError at its boundary;
 * the protocol layer maps them to `ERR` packets or `unpack <reason>` lines.
 */
export class GitError extends Error {
  override name = "GitError";
}

/** An object that does not parse (commit, tree, tag). */
export class GitFormatError extends GitError {
  override name = "GitFormatError";
}

/** A pack that is truncated, corrupt or inconsistent. */
export class PackCorruptError extends GitError {
  override name = "PackCorruptError";
}

/** A malformed pkt-line stream or protocol request. */
export class ProtocolError extends GitError {
  override name = "ProtocolError";
}

/** A request body that cannot be read as sent (e.g. `Content-Encoding: gzip` on bytes that are not gzip): HTTP 400. */
export class RequestBodyError extends ProtocolError {
  override name = "RequestBodyError";
}

/** A configured limit was exceeded (object size, body size, refs per push...). */
export class LimitExceededError extends GitError {
  override name = "LimitExceededError";
}

export class ObjectMissingError extends GitError {
  override name = "ObjectMissingError";
  constructor(readonly oid: string) {
    super(`missing object ${oid}`);
  }
}
