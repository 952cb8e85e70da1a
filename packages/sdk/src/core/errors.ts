/** Where in a request the server found a problem, as the Data API reports it. */
export interface ErrorLocation {
  location: string;
  message: string;
}

/** Every error the SDK throws. */
export class MapshelfError extends Error {
  override name = 'MapshelfError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * What the server said: its `detail`, or Koordinates' `{"field": ["msg", ...]}` as
 * `field: msg; msg`, or the status.
 */
function messageOf(status: number, body: unknown): string {
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 500);
  if (!body || typeof body !== 'object') return `The server answered ${status}.`;
  const { detail } = body as { detail?: unknown };
  if (typeof detail === 'string') return detail;
  const fields = Object.entries(body).filter((entry): entry is [string, string[]] => Array.isArray(entry[1]) && entry[1].every((m) => typeof m === 'string'));
  return fields.length > 0 ? fields.map(([field, messages]) => `${field}: ${messages.join('; ')}`).join('\n') : `The server answered ${status}.`;
}

/** The server answered with an error status. */
export class APIError extends MapshelfError {
  override name = 'APIError';
  /** The Data API's error code, e.g. `not_found` or `invalid_token_scope`. */
  readonly code: string | null;
  /** Where the request went wrong, e.g. `[{location: 'body.crs', message: '...'}]`. */
  readonly errors: ErrorLocation[];
  /** The server's id for this request, to quote in a bug report. */
  readonly requestId: string | null;

  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Headers,
  ) {
    super(messageOf(status, body));
    const fields = (body && typeof body === 'object' ? body : {}) as { code?: unknown; errors?: unknown; request_id?: unknown };
    this.code = typeof fields.code === 'string' ? fields.code : null;
    this.errors = Array.isArray(fields.errors) ? (fields.errors as ErrorLocation[]) : [];
    this.requestId = typeof fields.request_id === 'string' ? fields.request_id : headers.get('x-request-id');
  }
}

/** 400 or 422: the request is wrong; `errors` (or the message) says where. */
export class BadRequest extends APIError {
  override name = 'BadRequest';
}
/** 401: no token, or one that is unknown, revoked or expired. */
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
/** 403: the token's user may not do this. */
export class Forbidden extends APIError {
  override name = 'Forbidden';
}
/** 403: the token lacks a scope the route needs (seed 001's `InvalidTokenScope`). */
export class InvalidTokenScope extends Forbidden {
  override name = 'InvalidTokenScope';
  /** The scopes the route accepts, from `Accepted-OAuth-Scopes`. */
  get requiredScopes(): string[] {
    return (this.headers.get('accepted-oauth-scopes') ?? '').split(/[\s,]+/).filter(Boolean);
  }
}
/** 404: no such object, or one the caller may not see. */
export class NotFound extends APIError {
  override name = 'NotFound';
}
/** 405: the route does not take this method. */
export class NotAllowed extends APIError {
  override name = 'NotAllowed';
}
/** 409: the request conflicts with the object's state. */
export class Conflict extends APIError {
  override name = 'Conflict';
}
/** 429: too many requests; retried by the client before it is thrown. */
export class RateLimitExceeded extends APIError {
  override name = 'RateLimitExceeded';
  /** Seconds the server asked to wait (`Retry-After`), if it said. */
  get retryAfter(): number | null {
    const header = this.headers.get('retry-after');
    if (header === null) return null;
    const seconds = Number(header);
    return Number.isFinite(seconds) ? seconds : Math.max(0, Math.ceil((Date.parse(header) - Date.now()) / 1000)) || null;
  }
}
/** 500: a fault in the server; `requestId` identifies it. */
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}
/** 502, 503 or 504: the server or a proxy in front of it is unavailable; retried before it is thrown. */
export class ServiceUnavailable extends APIError {
  override name = 'ServiceUnavailable';
}

/** The server could not be reached, or the connection broke. */
export class APIConnectionError extends MapshelfError {
  override name = 'APIConnectionError';
}

/** The request took longer than the client's `timeout`. */
export class APITimeoutError extends APIConnectionError {
  override name = 'APITimeoutError';
}

/** A request the SDK refuses before sending, such as a filter the list does not offer. */
export class ClientValidationError extends MapshelfError {
  override name = 'ClientValidationError';
}

/** A download could not be written where it was asked to go. */
export class DownloadError extends MapshelfError {
  override name = 'DownloadError';
}

/** The error class for a status and body: the one place statuses map to classes. */
export function errorFor(status: number, body: unknown, headers: Headers): APIError {
  const code = body && typeof body === 'object' ? (body as { code?: unknown }).code : undefined;
  if (status === 400 || status === 422) return new BadRequest(status, body, headers);
  if (status === 401) return new AuthenticationError(status, body, headers);
  if (status === 403) return code === 'invalid_token_scope' ? new InvalidTokenScope(status, body, headers) : new Forbidden(status, body, headers);
  if (status === 404) return new NotFound(status, body, headers);
  if (status === 405) return new NotAllowed(status, body, headers);
  if (status === 409) return new Conflict(status, body, headers);
  if (status === 429) return new RateLimitExceeded(status, body, headers);
  if (status >= 502 && status <= 504) return new ServiceUnavailable(status, body, headers);
  if (status >= 500) return new InternalServerError(status, body, headers);
  return new APIError(status, body, headers);
}
