import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { serverVersion } from '../version.js';
import { docsPath } from './data-api/root.js';

/**
 * The OpenAPI 3 document, generated from the route schemas, and the browsable docs page.
 * Both are public. Registered before the routes so that every route is described.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(docsPath)) route.config = { ...route.config, auth: 'public' };
    // The document says which routes take anonymous callers, from the same config auth.ts enforces.
    const auth = route.config?.auth;
    if (auth === 'public') route.schema = { ...route.schema, security: [] };
    if (auth === 'optional') route.schema = { ...route.schema, security: [{}, { key: [] }] };
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Mapshelf Data API',
        version: serverVersion,
        description:
          'Koordinates-compatible Data API. Authenticate with `Authorization: key <token>`. Lists page with `page` and ' +
          '`page_size` and answer `Link`, `X-Resource-Range` and `X-Paginate-By`; OPTIONS on a list describes its filters.',
      },
      components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'key <token>' } } },
      security: [{ key: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: docsPath, staticCSP: true });
}
