/** Where in a request the server found a problem, as the Data API reports it. */
export interface ErrorLocation {
  location: string;
  message: string;
}

/** Every error the SDK throws. */
export class MapshelfError extends Error {
  override name = 'MapshelfError';
}

/** The server answered with an error status. */
export class APIError extends MapshelfError {
  override name = 'APIError';
  /** The Data API's error code, e.g. `not_found` or `invalid_token_scope`. */
  readonly code: string | null;
  readonly errors: ErrorLocation[];
  readonly requestId: string | null;

  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Headers,
  ) {
    const detail = body && typeof body === 'object' ? (body as { detail?: unknown }).detail : undefined;
    super(typeof detail === 'string' ? detail : `The server answered ${status}.`);
    const fields = (body ?? {}) as { code?: unknown; errors?: unknown; request_id?: unknown };
    this.code = typeof fields.code === 'string' ? fields.code : null;
    this.errors = Array.isArray(fields.errors) ? (fields.errors as ErrorLocation[]) : [];
    this.requestId = typeof fields.request_id === 'string' ? fields.request_id : headers.get('x-request-id');
  }
}

export class BadRequestError extends APIError {
  override name = 'BadRequestError';
}
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}
/** The token lacks a scope the route needs (seed 001's `InvalidTokenScope`). */
export class InvalidTokenScope extends PermissionDeniedError {
  override name = 'InvalidTokenScope';
  /** The scopes the route accepts, from `Accepted-OAuth-Scopes`. */
  get requiredScopes(): string[] {
    return (this.headers.get('accepted-oauth-scopes') ?? '').split(/[\s,]+/).filter(Boolean);
  }
}
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
export class ConflictError extends APIError {
  override name = 'ConflictError';
}
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
}
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}

/** The server could not be reached, or the connection broke. */
export class APIConnectionError extends MapshelfError {
  override name = 'APIConnectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class APITimeoutError extends APIConnectionError {
  override name = 'APITimeoutError';
}

/** A download could not be written where it was asked to go. */
export class DownloadError extends MapshelfError {
  override name = 'DownloadError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The error class for a status and body: one place maps statuses to classes. */
export function errorFor(status: number, body: unknown, headers: Headers): APIError {
  const code = body && typeof body === 'object' ? (body as { code?: unknown }).code : undefined;
  if (status === 400) return new BadRequestError(status, body, headers);
  if (status === 401) return new AuthenticationError(status, body, headers);
  if (status === 403) return code === 'invalid_token_scope' ? new InvalidTokenScope(status, body, headers) : new PermissionDeniedError(status, body, headers);
  if (status === 404) return new NotFoundError(status, body, headers);
  if (status === 409) return new ConflictError(status, body, headers);
  if (status === 429) return new RateLimitError(status, body, headers);
  if (status >= 500) return new InternalServerError(status, body, headers);
  return new APIError(status, body, headers);
}
