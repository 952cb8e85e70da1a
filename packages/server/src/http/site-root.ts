import type { FastifyInstance } from 'fastify';
import { serverVersion } from '../version.js';
import type { Face } from './shared/face.js';

/** `GET /`: what this server is and where its faces are. Outside every face: no token, the site's own shape. */
export function registerSiteRoot(app: FastifyInstance, faces: readonly Face[]): void {
  // Not in the OpenAPI document, which describes the faces' routes and /health.
  app.get('/', { schema: { hide: true } }, async (request) => ({
    name: 'Mapshelf',
    version: serverVersion,
    apis: Object.fromEntries(faces.filter((face) => face.root !== null).map((face) => [face.name, request.urlFor(`${face.prefix}${face.root ?? '/'}`)])),
    health: request.urlFor('/health'),
  }));
}
