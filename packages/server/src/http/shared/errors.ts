import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withoutServerPaths } from '../../domain/data-paths.js';
import { MapshelfError, under, type ErrorLocation, type PlaceLocation } from '../../domain/errors.js';

export interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

const contextNames: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/** `/a/0/b` from ajv becomes `body.a[0].b`, naming the offending field. */
function locationOf(context: string, error: AjvError): string {
  const path = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('');
  const extra =
    error.keyword === 'additionalProperties'
      ? `.${String(error.params.additionalProperty)}`
      : error.keyword === 'required'
        ? `.${String(error.params.missingProperty)}`
        : '';
  return `${context}${path}${extra}`;
}

function messageOf(error: AjvError): string {
  if (error.keyword === 'additionalProperties') return 'is not a known field';
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'enum') return `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
  return error.message ?? 'is not valid';
}

/** A 400 listing every schema violation with its location, `context` first (`body.title`). */
export function validationError(context: string, validation: AjvError[], code: 'invalid_body' | 'invalid_parameter'): MapshelfError {
  // anyOf/oneOf add a summary error on top of the branch errors; the branches say more.
  let relevant = validation.filter((e) => !['anyOf', 'oneOf', 'if'].includes(e.keyword));
  // For a nullable field, "must be null" only restates that the other branch failed.
  relevant = relevant.filter(
    (e) => !(e.keyword === 'type' && e.params.type === 'null' && relevant.some((o) => o !== e && o.instancePath === e.instancePath)),
  );
  const errors: ErrorLocation[] = (relevant.length ? relevant : validation).map((e) => ({
    location: locationOf(context, e),
    message: messageOf(e),
  }));
  const detail = errors.map((e) => `${e.location}: ${e.message}`).join('; ');
  return new MapshelfError(code, detail, { errors });
}

function fromValidation(error: FastifyError & { validation: AjvError[]; validationContext?: string }): MapshelfError {
  const context = error.validationContext ?? 'body';
  return validationError(contextNames[context] ?? context, error.validation, context === 'body' ? 'invalid_body' : 'invalid_parameter');
}

/** Maps anything thrown to a `MapshelfError`; only true faults become 500s. */
export function toMapshelfError(error: unknown): MapshelfError {
  if (error instanceof MapshelfError) return error;
  const e = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (Array.isArray(e.validation)) return fromValidation(e as FastifyError & { validation: AjvError[] });
  switch (e.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new MapshelfError('body_too_large', 'The upload is larger than this server accepts (see --upload-limit, MAPSHELF_UPLOAD_LIMIT).');
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new MapshelfError('body_too_large', `The upload has too many parts: ${e.message}.`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new MapshelfError('body_too_large', 'The request body is larger than this server accepts (see --body-limit).');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new MapshelfError('unsupported_media_type', 'Send the request body as application/json.', {
        errors: [{ location: 'header.content-type', message: 'unsupported media type' }],
      });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new MapshelfError('bad_request', 'The Content-Length header does not match the body.');
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    // Fastify's own client errors (bad URL encoding, ...) carry messages that are safe to show.
    return new MapshelfError(e.statusCode === 404 ? 'not_found' : 'bad_request', e.message);
  }
  return new MapshelfError('internal_error', 'An unexpected error occurred. Quote the request id when you report it.');
}

/**
 * The last line of defence against leaking where the server keeps its files: any text in an
 * error body holding the data folder's absolute path loses it, and with it an upload's scratch
 * folder (`<data>/tmp/upload-x/dup/a.csv` becomes `dup/a.csv`, the upload path). Code that
 * builds messages should name upload paths itself; this only catches what slips through.
 */
function bodyWithoutServerPaths<T>(body: T, dataDir: string | undefined, request: FastifyRequest): T {
  if (!dataDir) return body;
  const text = JSON.stringify(body);
  const escaped = JSON.stringify(dataDir).slice(1, -1);
  if (!text.includes(escaped)) return body;
  request.log.warn('an error message named a server path; it was rewritten');
  return JSON.parse(withoutServerPaths(text, escaped)) as T;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Where this route's domain input comes from, to place the locations domain errors give
     * relative to it: a request part (`body`, the default; a multipart JSON part such as
     * `source`), or a function (lists, whose query names differ from the domain's).
     */
    input?: string | PlaceLocation;
  }
}

/** How the route places its domain errors' relative locations in the request (`name` → `body.name`). */
export function placeFor(request: FastifyRequest): PlaceLocation {
  const input = request.routeOptions.config?.input ?? 'body';
  return typeof input === 'function' ? input : (location) => under(input, location);
}

/** Renders an error as one face's JSON body (or the site's, outside every face). */
export type ErrorBody = (request: FastifyRequest, error: MapshelfError) => Record<string, unknown>;

/**
 * A face's body `{<sentence key>, code, errors?, ...extra, request_id}`, with domain locations
 * placed in the request (`name` becomes `body.name`); faces differ in the sentence's key.
 */
export function placedErrorBody(sentenceKey: string): ErrorBody {
  return (request, error) => {
    const placed = error.placed(placeFor(request));
    return {
      [sentenceKey]: placed.message,
      code: placed.code,
      ...(placed.errors.length > 0 && { errors: placed.errors }),
      ...placed.extra,
      request_id: request.id,
    };
  };
}

/** The site's plain error body, for paths outside every face: `{detail, code, errors?, request_id}`. */
export const siteErrorBody: ErrorBody = (request, error) => ({
  detail: error.message,
  code: error.code,
  ...(error.errors.length > 0 && { errors: error.errors }),
  request_id: request.id,
});

/** Sends `error` with its status and headers, as `body` renders it, never naming the data folder. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: MapshelfError, body: ErrorBody) {
  reply.code(error.statusCode).headers(error.headers);
  return reply.send(bodyWithoutServerPaths(body(request, error), (request.server as Partial<FastifyInstance>).domain?.dataDir, request));
}

/**
 * The error handler of one encapsulation context (the site, or one face): anything thrown in
 * it is mapped to a `MapshelfError`, logged, and sent as `body` renders it.
 */
export function handleErrors(app: FastifyInstance, body: ErrorBody): void {
  app.setErrorHandler((error, request, reply) => {
    // The database out of reach (PostgreSQL restarting, SQLite locked too long): a 503 to retry, not a fault of the request.
    const mapped = (request.server as Partial<FastifyInstance>).domain?.store?.isUnavailable(error)
      ? new MapshelfError('service_unavailable', 'The catalog database is not available right now; try again in a moment.', { headers: { 'retry-after': '5' } })
      : toMapshelfError(error);
    if (mapped.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: mapped.code, detail: mapped.message }, 'request refused');
    return sendError(request, reply, mapped, body);
  });
}

/** The path of a request URL, without its query. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** For paths outside every face: errors and 404s in the site's plain body. */
export function registerSiteFallback(app: FastifyInstance): void {
  handleErrors(app, siteErrorBody);
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new MapshelfError('not_found', `Nothing is at ${request.method} ${pathOf(request.url)}.`), siteErrorBody),
  );
}
