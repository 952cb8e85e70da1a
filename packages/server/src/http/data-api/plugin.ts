import type { FastifyInstance } from 'fastify';
import type { Face, FaceOptions } from '../shared/face.js';
import { registerActionBodyCheck } from '../shared/validation.js';
import { registerCatalogRoutes } from './catalog/routes.js';
import { registerAuth } from './conventions/auth.js';
import { registerErrorHandler } from './conventions/errors.js';
import { registerExpandCheck } from './conventions/expand.js';
import { collectRoutes, registerMethodNotAllowed, registerNotFound } from './conventions/not-found.js';
import { dataApiDocument, registerDocs } from './conventions/openapi.js';
import { apiRoot, rewriteVersionedUrl } from './conventions/urls.js';
import { registerDocumentRoutes } from './documents/routes.js';
import { registerExportRoutes } from './exports/routes.js';
import { registerGroupRoutes } from './groups/routes.js';
import { registerLayerRoutes } from './layers/routes.js';
import { registerLicenseRoutes } from './licenses/routes.js';
import { registerPublishRoutes } from './publish/routes.js';
import { registerRoot } from './root.js';
import { registerSetRoutes } from './sets/routes.js';
import { registerSourceRoutes } from './sources/routes.js';
import { registerTokenRoutes } from './tokens/routes.js';
import { registerUserRoutes } from './users/routes.js';

/**
 * The Data API face, Koordinates-style, under /services/api/v1/: `key` tokens, its error body,
 * `Expand`, page/page_size paging, 405s and trailing-slash redirects, all inside this plugin.
 */
async function dataApiPlugin(app: FastifyInstance, { ctx }: FaceOptions): Promise<void> {
  registerErrorHandler(app);
  registerAuth(app, ctx);
  // The Expand header is checked against what each route offers, before a bodyless action's fields.
  registerExpandCheck(app);
  registerActionBodyCheck(app);
  const routes = collectRoutes(app);
  await registerDocs(app);

  registerRoot(app);
  registerUserRoutes(app, ctx);
  registerGroupRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  registerSourceRoutes(app, ctx);
  registerLayerRoutes(app, ctx, 'layer');
  registerLayerRoutes(app, ctx, 'table');
  registerSetRoutes(app, ctx);
  registerDocumentRoutes(app, ctx);
  registerPublishRoutes(app, ctx);
  registerCatalogRoutes(app, ctx);
  registerExportRoutes(app, ctx);
  registerLicenseRoutes(app, ctx);

  registerMethodNotAllowed(app, routes);
  registerNotFound(app);
}

export const dataApi: Face = {
  name: 'data',
  prefix: apiRoot,
  plugin: dataApiPlugin,
  cors: { expose: ['Link', 'X-Resource-Range', 'Accepted-OAuth-Scopes', 'OAuth-Scopes'], allow: ['Expand'] },
  rewriteUrl: rewriteVersionedUrl,
  document: dataApiDocument,
};
