import type { FastifyInstance } from 'fastify';
import { serverVersion } from '../../version.js';
import { faceDocument } from '../shared/openapi.js';
import { metadataRoot } from '../shared/face-roots.js';
import { dataApiDocument, docsPath, openapiPath } from './conventions/openapi.js';
import { apiPath } from './conventions/urls.js';

const resources = ['users', 'groups', 'tokens', 'exports', 'licenses', 'sources', 'layers', 'tables', 'publish', 'data'] as const;

/** `GET /services/api/v1/`: where everything is. Public, so a client can discover the API. */
export function registerRoot(app: FastifyInstance): void {
  // Only the slashed path: Fastify would also route the bare prefix here, which has always been a 404.
  app.get('/', { prefixTrailingSlash: 'slash', config: { auth: 'public' }, schema: { summary: 'API root', tags: ['service'] } }, async (request) => ({
    name: 'Mapshelf Data API',
    version: serverVersion,
    resources: Object.fromEntries(resources.map((r) => [r, request.urlFor(apiPath(r))])),
    openapi: request.urlFor(openapiPath),
    docs: request.urlFor(`${docsPath}/`),
  }));

  // Its own routes (and the site's /health); the Metadata API serves its own document.
  app.get('/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () =>
    faceDocument(app.swagger(), dataApiDocument, (path) => !path.startsWith(metadataRoot) && !path.startsWith('/oauth/')),
  );
}
