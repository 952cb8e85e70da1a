import type { FastifyInstance, HTTPMethods, RouteOptions } from 'fastify';
import { MapshelfError } from '../../domain/errors.js';
import { sendError } from './error-handler.js';
import { apiRoot } from './urls.js';

const allMethods: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Unmatched requests. A Data API path without its trailing slash is redirected to the slashed
 * URL (301; 308 for methods with a body, so they are not turned into GETs). Anything else is 404.
 */
export function registerNotFound(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const [path, query] = splitUrl(request.url);
    const lastSegment = path.slice(path.lastIndexOf('/') + 1);
    if (path.startsWith(`${apiRoot}/`) && !path.endsWith('/') && !lastSegment.includes('.')) {
      const status = ['GET', 'HEAD', 'OPTIONS'].includes(request.method) ? 301 : 308;
      return reply.redirect(request.urlFor(`${path}/${query}`), status);
    }
    return sendError(request, reply, new MapshelfError('not_found', `Nothing is at ${request.method} ${path}.`));
  });
}

function splitUrl(url: string): [string, string] {
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q)];
}

/**
 * Answers 405 with `Allow` for methods a known path does not take. Routes are collected as they
 * are registered; call `registerMethodNotAllowed` after every route plugin.
 */
export function collectRoutes(app: FastifyInstance): Map<string, Set<string>> {
  const byUrl = new Map<string, Set<string>>();
  app.addHook('onRoute', (route: RouteOptions) => {
    // Hidden routes (the docs page's assets) manage their own methods.
    if ((route.schema as { hide?: boolean } | undefined)?.hide) return;
    const methods = byUrl.get(route.url) ?? new Set<string>();
    for (const m of [route.method].flat()) methods.add(m);
    byUrl.set(route.url, methods);
  });
  return byUrl;
}

export function registerMethodNotAllowed(app: FastifyInstance, byUrl: Map<string, Set<string>>): void {
  for (const [url, methods] of [...byUrl]) {
    if (!url.startsWith(`${apiRoot}/`)) continue;
    const missing = allMethods.filter((m) => !methods.has(m));
    if (missing.length === 0) continue;
    const allow = allMethods.filter((m) => methods.has(m)).join(', ');
    app.route({
      method: missing,
      url,
      config: { auth: 'public' },
      schema: { hide: true },
      handler: async (request, reply) => {
        reply.header('Allow', allow);
        throw new MapshelfError('method_not_allowed', `${request.method} is not allowed here. Allowed: ${allow}.`);
      },
    });
  }
}
