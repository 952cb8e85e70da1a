import type { FastifyInstance, HTTPMethods, RouteOptions } from 'fastify';
import { MapshelfError } from '../../../domain/errors.js';
import { pathOf } from '../../shared/errors.js';
import { sendDataApiError } from './errors.js';
import { apiRoot } from './urls.js';

const allMethods: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Unmatched requests under the Data API's prefix. A path without its trailing slash is
 * redirected to the slashed URL (301; 308 for methods with a body, so they are not turned into
 * GETs). Anything else is 404.
 */
export function registerNotFound(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request.url);
    const query = request.url.slice(path.length);
    const lastSegment = path.slice(path.lastIndexOf('/') + 1);
    if (path.startsWith(`${apiRoot}/`) && !path.endsWith('/') && !lastSegment.includes('.')) {
      const status = ['GET', 'HEAD', 'OPTIONS'].includes(request.method) ? 301 : 308;
      return reply.redirect(request.urlFor(`${path}/${query}`), status);
    }
    return sendDataApiError(request, reply, new MapshelfError('not_found', `Nothing is at ${request.method} ${path}.`));
  });
}

/**
 * Answers 405 with `Allow` for methods a known path does not take. Routes are collected as they
 * are registered, by their path under the plugin's prefix; call `registerMethodNotAllowed`
 * after every route.
 */
export function collectRoutes(app: FastifyInstance): Map<string, Set<string>> {
  const byPath = new Map<string, Set<string>>();
  app.addHook('onRoute', (route: RouteOptions) => {
    // Hidden routes (the docs page's assets) manage their own methods.
    if ((route.schema as { hide?: boolean } | undefined)?.hide) return;
    const path = route.url.slice(app.prefix.length);
    const methods = byPath.get(path) ?? new Set<string>();
    for (const m of [route.method].flat()) methods.add(m);
    byPath.set(path, methods);
  });
  return byPath;
}

export function registerMethodNotAllowed(app: FastifyInstance, byPath: Map<string, Set<string>>): void {
  for (const [path, methods] of [...byPath]) {
    const missing = allMethods.filter((m) => !methods.has(m));
    if (missing.length === 0) continue;
    const allow = allMethods.filter((m) => methods.has(m)).join(', ');
    app.route({
      method: missing,
      url: path,
      // The root's path is `/`: it must not also take the prefix without its slash (a redirect).
      prefixTrailingSlash: 'slash',
      config: { auth: 'public' },
      schema: { hide: true },
      handler: async (request, reply) => {
        reply.header('Allow', allow);
        throw new MapshelfError('method_not_allowed', `${request.method} is not allowed here. Allowed: ${allow}.`);
      },
    });
  }
}
