import type { FastifyInstance } from 'fastify';
import { serverVersion } from '../../version.js';
import type { Face, FaceOptions } from '../shared/face.js';
import { registerFormBody } from '../shared/form-body.js';
import { registerAccountRoutes } from './account/routes.js';
import { registerApplicationRoutes } from './applications/routes.js';
import { registerContactRoutes } from './contacts/routes.js';
import { registerSpecificationRoutes } from './specifications/routes.js';
import { registerInvitationRoutes } from './invitations/routes.js';
import { registerCoordinateSystemRoutes } from './coordinate-systems/routes.js';
import { registerRecordRoutes } from './resources/routes.js';
import { registerRecordPartRoutes } from './resources/parts-routes.js';
import { registerRecordLinkRoutes } from './resources/link-routes.js';
import { registerLicenseRoutes } from './licenses/routes.js';
import { registerCatalogRoutes } from './catalogs/routes.js';
import { registerShareRoutes } from './shares/routes.js';
import { registerFormatRoutes } from './formats/routes.js';
import { registerBearerAuth } from './conventions/auth.js';
import { registerMetadataErrors } from './conventions/errors.js';
import { registerNulCheck } from './conventions/plain-text.js';
import { metadataApiDocument, registerMetadataDocs } from './conventions/openapi.js';
import { metadataRoot, normalizeMetadataUrl } from './conventions/urls.js';
import { registerUserRoutes } from './users/routes.js';
import { registerWorkgroupRoutes } from './workgroups/routes.js';

/**
 * The Metadata API face, Isogeo-style, under /metadata/v1/: OAuth2 Bearer tokens from
 * /oauth/token, 32-hex `_id`s, `_include` and `_lang`, its error body, and the Isogeo SDK's
 * URLs (double and trailing slashes) all inside this plugin.
 */
async function metadataApiPlugin(app: FastifyInstance, { ctx }: FaceOptions): Promise<void> {
  registerMetadataErrors(app);
  registerBearerAuth(app, ctx);
  registerMetadataDocs(app);
  // Licences, catalogs and specifications are created from forms.
  registerFormBody(app);
  registerNulCheck(app);

  app.get('/', { config: { auth: 'public' } }, async (request) => ({
    name: 'Mapshelf Metadata API',
    version: serverVersion,
    token_url: request.urlFor('/oauth/token'),
    openapi: request.urlFor(`${metadataRoot}/openapi.json`),
  }));
  registerAccountRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerWorkgroupRoutes(app, ctx);
  registerApplicationRoutes(app, ctx);
  registerContactRoutes(app, ctx);
  registerSpecificationRoutes(app, ctx);
  registerInvitationRoutes(app, ctx);
  registerCoordinateSystemRoutes(app, ctx);
  registerLicenseRoutes(app, ctx);
  registerRecordRoutes(app, ctx);
  registerRecordPartRoutes(app, ctx);
  registerRecordLinkRoutes(app, ctx);
  registerCatalogRoutes(app, ctx);
  registerShareRoutes(app, ctx);
  registerFormatRoutes(app, ctx);
}

export const metadataApi: Face = {
  name: 'metadata',
  prefix: metadataRoot,
  plugin: metadataApiPlugin,
  rewriteUrl: normalizeMetadataUrl,
  document: metadataApiDocument,
};
