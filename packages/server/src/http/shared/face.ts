import type { FastifyPluginAsync } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import type { OpenApiDocument } from './openapi.js';

/** What `app.ts` hands each face's plugin. */
export interface FaceOptions {
  ctx: DomainContext;
}

/**
 * One API face: an encapsulated Fastify plugin registered under its prefix. Its hooks (auth),
 * error handler, not-found handler and docs belong to it alone (Fastify's encapsulation), so
 * each face has its own auth scheme, error body and paging. The fields besides `plugin` are
 * what the server needs to know about it outside the plugin.
 */
export interface Face {
  /** Short name, for the site root: `data`. */
  name: string;
  /** The path every route of the face starts with, without a trailing slash. */
  prefix: string;
  plugin: FastifyPluginAsync<FaceOptions>;
  /** The path under the prefix that the site root names for the face (default `/`); null: none (the share links, whose pages each need a token). */
  root?: string | null;
  /** Headers beyond the shared ones that browser clients read (`expose`) or send (`allow`), for CORS. */
  cors?: { expose?: readonly string[]; allow?: readonly string[] };
  /** Rewrites a request URL before routing (which is server-wide), e.g. older versions of the face onto its prefix. */
  rewriteUrl?: (url: string) => string;
  /** Its OpenAPI document's name and security schemes (it serves its part of the server's document). */
  document?: OpenApiDocument;
}
