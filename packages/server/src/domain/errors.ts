/**
 * The one registry of error codes. Every error a client can see has a code here, with its
 * HTTP status and a short description; `docs/errors.md` documents each one (a test checks it).
 * Domain code throws `MapshelfError`; each face's error handler turns it into its wire shape.
 */
export const errorCodes = {
  bad_request: { status: 400, description: 'The request is malformed in a way no more specific code covers.' },
  invalid_json: { status: 400, description: 'The request body is not valid JSON.' },
  invalid_body: { status: 400, description: 'The request body does not match the schema: a field is missing, of the wrong type, or unknown.' },
  invalid_parameter: { status: 400, description: 'A query or path parameter has a value that is not allowed.' },
  unknown_filter: { status: 400, description: 'A query parameter names a filter (or lookup) that this list does not offer. OPTIONS on the list shows the filters.' },
  unknown_sort: { status: 400, description: 'The sort parameter names a field this list cannot be ordered by. OPTIONS on the list shows the orderings.' },
  invalid_export: { status: 400, description: 'The export request names something that cannot be exported: an unknown CRS, a missing or unsupported format, an item you may not download, a bad extent or option. `errors` says where; POST /exports/validate/ checks a request without creating it.' },
  invalid_page: { status: 404, description: 'The page number is past the last page of the list.' },
  authentication_required: { status: 401, description: 'The route needs an API token: send `Authorization: key <token>`.' },
  invalid_authorization_header: { status: 401, description: 'The Authorization header is not of the form `key <token>`.' },
  invalid_token: { status: 401, description: 'The token is unknown, revoked, or belongs to a deactivated user.' },
  token_expired: { status: 401, description: 'The token passed its expiry date. Create a new one.' },
  invalid_token_scope: { status: 403, description: 'The token lacks a scope the route needs. The `Accepted-OAuth-Scopes` header and `required_scopes` name it.' },
  // The OAuth2 token endpoint's codes (RFC 6749 section 5.2), answered as `{error, error_description}`.
  invalid_request: { status: 400, description: 'OAuth2: the token request lacks a parameter, repeats one, or authenticates the client in two ways at once.' },
  invalid_client: { status: 401, description: 'OAuth2: the client id is unknown, the secret is wrong, or the Basic header is malformed.' },
  invalid_grant: { status: 400, description: 'OAuth2: the username or password is wrong, or the refresh token is unknown, used already, expired, or another client\'s.' },
  unauthorized_client: { status: 400, description: 'OAuth2: this application may not use this grant (client credentials are for group applications, the password grant for user applications).' },
  unsupported_grant_type: { status: 400, description: 'OAuth2: the grant type is not one of client_credentials, password and refresh_token.' },
  invalid_scope: { status: 400, description: 'OAuth2: a requested scope is unknown, or beyond what the application may hold.' },
  forbidden: { status: 403, description: 'The token is valid but its user may not do this.' },
  not_found: { status: 404, description: 'No such route or object, or the caller may not see it.' },
  method_not_allowed: { status: 405, description: 'The route exists but does not accept this HTTP method.' },
  conflict: { status: 409, description: 'The request conflicts with the current state (a duplicate name, the last admin, ...).' },
  gone: { status: 410, description: 'The export expired and its file was deleted. Create the export again.' },
  request_timeout: { status: 408, description: 'The request did not arrive in time (`--request-timeout`, `--headers-timeout`); the connection is closed. Send it again, faster or as an upload.' },
  body_too_large: { status: 413, description: 'The request body is larger than the configured limit.' },
  unsupported_media_type: { status: 415, description: 'The request body has a Content-Type the route does not accept, or an uploaded document is not a PDF, an image or UTF-8 text.' },
  range_not_satisfiable: { status: 416, description: 'A download asked for a byte range outside the file. `Content-Range` gives the size.' },
  internal_error: { status: 500, description: 'An unexpected server fault. The response carries a request id to quote in a bug report.' },
  insufficient_storage: { status: 507, description: 'The server has too little free disk space to store the upload. Try again later, or ask the operator to free space.' },
  service_unavailable: { status: 503, description: 'The server is shutting down or a dependency (the database) is not available.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof errorCodes;

/** Where in the request a problem was found, and what it is. */
export interface ErrorLocation {
  /**
   * e.g. `query.page_size`, `body.scope`, `header.authorization`; in an error with `relative`
   * set, a field of the domain call's input instead: `scope`, `items[2]`, `` for all of it.
   */
  location: string;
  message: string;
}

/** Puts a relative location where its input lies in the request: `body.` + `name`. */
export type PlaceLocation = (location: string) => string;

/**
 * `child` inside `parent`: `under('body', 'name')` is `body.name`, `under('body', '[0]')` is
 * `body[0]`, and an empty side leaves the other as it is.
 */
export function under(parent: string, child: string): string {
  if (parent === '') return child;
  if (child === '') return parent;
  return child.startsWith('[') ? `${parent}${child}` : `${parent}.${child}`;
}

/** An error whose message is safe to show to the API user. */
export class MapshelfError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly errors: ErrorLocation[];
  /** Extra response headers, e.g. `WWW-Authenticate`. */
  readonly headers: Record<string, string>;
  /** Extra fields for the JSON body, e.g. `required_scopes`. */
  readonly extra: Record<string, unknown>;
  /**
   * The locations (in `errors` and the detail) name fields of the input the domain was given,
   * not places in a request: the face that renders the error places them (`placed`).
   */
  readonly relative: boolean;
  private readonly describe: (place: PlaceLocation) => string;

  /** `detail` may be written around locations (`(place) => `${place('name')}: ...``), so that placing them rewrites it too. */
  constructor(
    code: ErrorCode,
    detail: string | ((place: PlaceLocation) => string),
    options: { errors?: ErrorLocation[]; headers?: Record<string, string>; extra?: Record<string, unknown>; relative?: boolean } = {},
  ) {
    const describe = typeof detail === 'string' ? () => detail : detail;
    super(describe((location) => location));
    this.name = 'MapshelfError';
    this.code = code;
    this.statusCode = errorCodes[code].status;
    this.errors = options.errors ?? [];
    this.headers = options.headers ?? {};
    this.extra = options.extra ?? {};
    this.relative = options.relative ?? false;
    this.describe = describe;
  }

  /** The same error with its relative locations placed in the request; an error that names request places already is returned as it is. */
  placed(place: PlaceLocation): MapshelfError {
    if (!this.relative) return this;
    return new MapshelfError(this.code, this.describe(place), {
      errors: this.errors.map((e) => ({ location: place(e.location), message: e.message })),
      headers: this.headers,
      extra: this.extra,
    });
  }
}

/** A 400 about one parameter, naming where in the request it is (`query.page`, `header.expand`). */
export function invalidParameter(location: string, message: string, code: ErrorCode = 'invalid_parameter'): MapshelfError {
  return new MapshelfError(code, `${location}: ${message}`, { errors: [{ location, message }] });
}

/** A 400 about one field of a domain call's input (`scope`, `items[0]`, `` for all of it); the face places it in its request. */
export function invalidInput(field: string, message: string, code: ErrorCode = 'invalid_parameter'): MapshelfError {
  return new MapshelfError(code, (place) => `${place(field)}: ${message}`, { errors: [{ location: field, message }], relative: true });
}

export function notFound(what: string): MapshelfError {
  return new MapshelfError('not_found', `${what} was not found.`);
}

export function forbidden(detail: string): MapshelfError {
  return new MapshelfError('forbidden', detail);
}

export function conflict(detail: string): MapshelfError {
  return new MapshelfError('conflict', detail);
}
