import type { FastifyInstance } from 'fastify';
import { serverVersion } from '../../version.js';
import { apiPath, apiRoot } from '../common/urls.js';

export const docsPath = `${apiRoot}/docs`;
export const openapiPath = `${apiRoot}/openapi.json`;

const resources = ['users', 'groups', 'tokens', 'exports', 'licenses', 'sources', 'layers', 'tables', 'publish', 'data'] as const;

/** `GET /services/api/v1/`: where everything is. Public, so a client can discover the API. */
export function registerRoot(app: FastifyInstance): void {
  app.get(`${apiRoot}/`, { config: { auth: 'public' }, schema: { summary: 'API root', tags: ['service'] } }, async (request) => ({
    name: 'Mapshelf Data API',
    version: serverVersion,
    resources: Object.fromEntries(resources.map((r) => [r, request.urlFor(apiPath(r))])),
    openapi: request.urlFor(openapiPath),
    docs: request.urlFor(`${docsPath}/`),
  }));

  app.get(openapiPath, { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
