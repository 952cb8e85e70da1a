import type { FastifyRequest } from 'fastify';

/** The Data API's path prefix. `/services/api/v1.x/` is rewritten to it on the way in. */
export const apiRoot = '/services/api/v1';

/** Turns a server path into an absolute URL as the client sees the server. */
export type UrlFor = (path: string) => string;

declare module 'fastify' {
  interface FastifyRequest {
    urlFor: UrlFor;
  }
}

/**
 * The public origin: the configured public URL, else the request's own scheme and host (which
 * Fastify takes from X-Forwarded-Proto/Host only when the peer is a trusted proxy).
 */
export function publicOrigin(request: FastifyRequest, publicUrl: string | null): string {
  return publicUrl ?? `${request.protocol}://${request.host}`;
}

/** `/services/api/v1/users/4/` from `apiPath('users', 4)`; ids are encoded, so `..` can't escape. */
export function apiPath(...segments: Array<string | number>): string {
  return `${apiRoot}/${segments.map((s) => encodeURIComponent(String(s))).join('/')}/`;
}
