/** A request the registry refuses as malformed or over a limit: bad-request, with this text. */
export class RequestError extends Error {
  override name = "RequestError";
}
