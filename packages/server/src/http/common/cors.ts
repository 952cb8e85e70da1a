import type { FastifyInstance } from 'fastify';

/** Response headers a browser client needs to read: paging, created objects, downloads, scopes. */
const exposed = [
  'Link',
  'X-Resource-Range',
  'Location',
  'Content-Disposition',
  'Content-Length',
  'Content-Range',
  'ETag',
  'Retry-After',
  'Accepted-OAuth-Scopes',
  'OAuth-Scopes',
  'X-Request-Id',
].join(', ');

/** Request headers the Data API reads. */
const allowedHeaders = ['Authorization', 'Content-Type', 'Expand', 'Range', 'If-None-Match', 'If-Range', 'X-Request-Id'].join(', ');

/**
 * Cross-origin access for browser clients, from the configured origins only (`*` for any).
 * Preflights are answered before authentication, which they never carry; the token itself is
 * sent as a header, not a cookie, so credentials mode is not needed.
 */
export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const any = origins.includes('*');
  const allowed = new Set(origins);
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin || !(any || allowed.has(origin))) return;
    reply.header('Access-Control-Allow-Origin', any ? '*' : origin).header('Vary', 'Origin').header('Access-Control-Expose-Headers', exposed);
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      return reply
        .code(204)
        .header('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS')
        .header('Access-Control-Allow-Headers', allowedHeaders)
        .header('Access-Control-Max-Age', '600')
        .send();
    }
  });
}
