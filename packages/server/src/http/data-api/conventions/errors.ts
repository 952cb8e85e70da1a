import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MapshelfError } from '../../../domain/errors.js';
import { handleErrors, placedErrorBody, sendError, type ErrorBody } from '../../shared/errors.js';

/**
 * The Data API's error body, as Koordinates clients read it: `{detail, code, errors?, ...extra,
 * request_id}`, with domain locations placed in the request (`name` becomes `body.name`).
 */
export const dataApiErrorBody: ErrorBody = placedErrorBody('detail');

/** Sends an error in the Data API's body. */
export function sendDataApiError(request: FastifyRequest, reply: FastifyReply, error: MapshelfError) {
  return sendError(request, reply, error, dataApiErrorBody);
}

/** The Data API's error handler: every error under its prefix has its body. */
export function registerErrorHandler(app: FastifyInstance): void {
  handleErrors(app, dataApiErrorBody);
}
