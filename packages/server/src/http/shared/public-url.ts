import type { FastifyInstance, FastifyRequest } from 'fastify';

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

/** Gives every request `urlFor`, so faces build absolute URLs from `--public-url` (which may carry a path prefix). */
export function registerPublicUrls(app: FastifyInstance, publicUrl: string | null): void {
  app.decorateRequest('urlFor', null as never);
  app.addHook('onRequest', async (request) => {
    const origin = publicOrigin(request, publicUrl);
    request.urlFor = (path) => `${origin}${path}`;
  });
}
