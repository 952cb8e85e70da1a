import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { under, type MapshelfError, type PlaceLocation } from '../../../domain/errors.js';
import { handleErrors, sendError, type ErrorBody } from '../../shared/errors.js';

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

function placeFor(request: FastifyRequest): PlaceLocation {
  const input = request.routeOptions.config?.input ?? 'body';
  return typeof input === 'function' ? input : (location) => under(input, location);
}

/**
 * The Data API's error body, as Koordinates clients read it: `{detail, code, errors?, ...extra,
 * request_id}`, with domain locations placed in the request (`name` becomes `body.name`).
 */
export const dataApiErrorBody: ErrorBody = (request, error) => {
  const placed = error.placed(placeFor(request));
  return {
    detail: placed.message,
    code: placed.code,
    ...(placed.errors.length > 0 && { errors: placed.errors }),
    ...placed.extra,
    request_id: request.id,
  };
};

/** Sends an error in the Data API's body. */
export function sendDataApiError(request: FastifyRequest, reply: FastifyReply, error: MapshelfError) {
  return sendError(request, reply, error, dataApiErrorBody);
}

/** The Data API's error handler: every error under its prefix has its body. */
export function registerErrorHandler(app: FastifyInstance): void {
  handleErrors(app, dataApiErrorBody);
}
