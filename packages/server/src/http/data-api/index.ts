import type { FastifyInstance } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { registerCatalogRoutes } from './catalog/routes.js';
import { registerDocumentRoutes } from './documents/routes.js';
import { registerSetRoutes } from './sets/routes.js';
import { registerExportRoutes } from './exports/routes.js';
import { registerGroupRoutes } from './groups/routes.js';
import { registerLayerRoutes } from './layers/routes.js';
import { registerLicenseRoutes } from './licenses/routes.js';
import { registerPublishRoutes } from './publish/routes.js';
import { registerRoot } from './root.js';
import { registerSourceRoutes } from './sources/routes.js';
import { registerTokenRoutes } from './tokens/routes.js';
import { registerUserRoutes } from './users/routes.js';

/** The Data API face: Koordinates-style routes under /services/api/v1/. */
export function registerDataApi(app: FastifyInstance, ctx: DomainContext): void {
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
}
