import type { FastifyInstance } from 'fastify';
import type { Face } from './face.js';

/** Response headers a browser client needs to read whatever the face: created objects, downloads, retries, request ids. */
const exposed = ['Location', 'Content-Disposition', 'Content-Length', 'Content-Range', 'ETag', 'Retry-After', 'X-Request-Id'];

/** Request headers every face reads. */
const allowed = ['Authorization', 'Content-Type', 'Range', 'If-None-Match', 'If-Range', 'X-Request-Id'];

/**
 * Cross-origin access for browser clients, from the configured origins only (`*` for any), with
 * the headers above and those the faces add. Preflights are answered before any face's
 * authentication, which they never carry; tokens are sent as a header, not a cookie, so
 * credentials mode is not needed.
 */
export function registerCors(app: FastifyInstance, origins: readonly string[], faces: readonly Pick<Face, 'cors'>[]): void {
  if (origins.length === 0) return;
  const any = origins.includes('*');
  const allowedOrigins = new Set(origins);
  const expose = [...new Set([...exposed, ...faces.flatMap((f) => f.cors?.expose ?? [])])].join(', ');
  const allow = [...new Set([...allowed, ...faces.flatMap((f) => f.cors?.allow ?? [])])].join(', ');
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin || !(any || allowedOrigins.has(origin))) return;
    reply.header('Access-Control-Allow-Origin', any ? '*' : origin).header('Vary', 'Origin').header('Access-Control-Expose-Headers', expose);
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      return reply
        .code(204)
        .header('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS')
        .header('Access-Control-Allow-Headers', allow)
        .header('Access-Control-Max-Age', '600')
        .send();
    }
  });
}
