import type { FastifyInstance } from 'fastify';
import { MapshelfError } from '../../../domain/errors.js';
import { handleErrors, pathOf, placedErrorBody, sendError, type ErrorBody } from '../../shared/errors.js';

/**
 * The Metadata API's error body: always a JSON object (the Isogeo SDK crashes on a list), whose
 * `error` the SDK logs: `{error, code, errors?, ...extra, request_id}`.
 */
export const metadataErrorBody: ErrorBody = placedErrorBody('error');

/** Every error and unknown path under the face's prefix, in its body. */
export function registerMetadataErrors(app: FastifyInstance): void {
  handleErrors(app, metadataErrorBody);
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new MapshelfError('not_found', `Nothing is at ${request.method} ${pathOf(request.url)}.`), metadataErrorBody),
  );
}
