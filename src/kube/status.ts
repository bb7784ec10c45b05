/**
 * Kubernetes `Status` errors, built the way kube-apiserver builds them (apimachinery `errors`).
 * Pure: encoding into bytes is the codecs' job.
 * @module
 */

/** One cause inside `StatusDetails`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** `StatusDetails`: for NotFound, `kind` holds the resource and `group` the API group. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A `meta.k8s.io/v1` Status object, as JSON-encoded by kube-apiserver. */
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

/** Builds a Failure `Status` with the given HTTP code and reason. */
export function failure(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): Status {
  const status: Status = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  };
  if (details) status.details = details;
  return status;
}

/** 404 NotFound for `resource` (with its group) named `name`. */
export function notFound(group: string, resource: string, name: string): Status {
  const qualified = group ? `${resource}.${group}` : resource;
  return failure(404, "NotFound", `${qualified} "${name}" not found`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

/** 503 ServiceUnavailable, telling the client when to retry. */
export function serviceUnavailable(message: string, retryAfterSeconds = 1): Status {
  return failure(503, "ServiceUnavailable", message, { retryAfterSeconds });
}

/** 410 Expired, as sent for a too old resourceVersion or a stale continue token. */
export function expired(message: string): Status {
  return failure(410, "Expired", message);
}

/** 400 BadRequest. */
export function badRequest(message: string): Status {
  return failure(400, "BadRequest", message);
}

/** 401 Unauthorized. */
export function unauthorized(message: string): Status {
  return failure(401, "Unauthorized", message);
}

/** 403 Forbidden: the client is known, but not allowed what it asks. */
export function forbidden(message: string): Status {
  return failure(403, "Forbidden", message);
}

/** 422 Invalid, with the offending field named in a cause. */
export function invalid(message: string, field?: string): Status {
  return failure(422, "Invalid", message, field ? { causes: [{ field, message }] } : undefined);
}

/** 406 NotAcceptable for an Accept header holdfast cannot satisfy. */
export function notAcceptable(accept: string): Status {
  return failure(406, "NotAcceptable", `only the following media types are accepted: ${accept}`);
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(message: string): Status {
  return failure(405, "MethodNotAllowed", message);
}

/** 409 Conflict. */
export function conflict(message: string): Status {
  return failure(409, "Conflict", message);
}

/** 409 AlreadyExists for `resource` named `name`. */
export function alreadyExists(group: string, resource: string, name: string): Status {
  const qualified = group ? `${resource}.${group}` : resource;
  return failure(409, "AlreadyExists", `${qualified} "${name}" already exists`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

/** 500 InternalError. */
export function internalError(message: string): Status {
  return failure(500, "InternalError", message);
}

/** 501 NotImplemented (e.g. connection upgrades holdfast cannot proxy). */
export function notImplemented(message: string): Status {
  return failure(501, "NotImplemented", message);
}

/** 413 RequestEntityTooLarge. */
export function tooLarge(message: string): Status {
  return failure(413, "RequestEntityTooLarge", message);
}

/** 415 UnsupportedMediaType for a request body in none of the `accepted` media types. */
export function unsupportedMediaType(accepted: readonly string[]): Status {
  return failure(
    415,
    "UnsupportedMediaType",
    "the body of the request was in an unknown format - accepted media types include: " +
      accepted.join(", "),
  );
}

/** 429 TooManyRequests, as kube-apiserver's max-in-flight filter answers, with a retry delay. */
export function tooManyRequests(message: string, retryAfterSeconds = 1): Status {
  return failure(429, "TooManyRequests", message, { retryAfterSeconds });
}
