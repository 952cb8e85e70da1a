import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseExpand } from './expand.js';
import type { UrlFor } from '../../shared/public-url.js';

/** What a presenter gets besides the row: how to build absolute URLs, and what to expand. */
export interface PresentContext {
  urlFor: UrlFor;
  expand: Set<string>;
}

export function presentContext(request: FastifyRequest): PresentContext {
  return { urlFor: request.urlFor, expand: parseExpand(request.headers.expand) };
}

/**
 * 201 (or 202 for work that goes on in the background) with `Location` set to the new object's
 * URL: `body.url`, unless the new object is reached elsewhere (a new version of a layer).
 */
export function sendCreated<T extends { url: string }>(reply: FastifyReply, body: T, status: 201 | 202 = 201, location = body.url): T {
  reply.code(status).header('Location', location);
  return body;
}

