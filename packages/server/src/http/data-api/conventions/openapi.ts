import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { serverVersion } from '../../../version.js';
import type { OpenApiDocument } from '../../shared/openapi.js';
import { apiRoot } from './urls.js';

export const docsPath = `${apiRoot}/docs`;
export const openapiPath = `${apiRoot}/openapi.json`;

/** The served document is named after the Data API, whose `key` scheme is its default security. */
export const dataApiDocument: OpenApiDocument = {
  info: {
    title: 'Mapshelf Data API',
    version: serverVersion,
    description:
      'Koordinates-compatible Data API. Authenticate with `Authorization: key <token>`. Lists page with `page` and ' +
      '`page_size` and answer `Link`, `X-Resource-Range` and `X-Paginate-By`; OPTIONS on a list describes its filters.',
  },
  components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'key <token>' } } },
  security: [{ key: [] }],
};

/**
 * The Data API's part of the OpenAPI document and its docs page: each of its routes says in the
 * document which callers it takes, from the same `config.auth` its auth hook enforces, and the
 * browsable docs are public. Registered before its routes so that every one is described.
 */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(docsPath)) route.config = { ...route.config, auth: 'public' };
    const auth = route.config?.auth;
    if (auth === 'public') route.schema = { ...route.schema, security: [] };
    if (auth === 'optional') route.schema = { ...route.schema, security: [{}, { key: [] }] };
  });
  await app.register(swaggerUi, {
    // Its routes are under this plugin's prefix; its pages link to assets by the whole path.
    routePrefix: docsPath.slice(apiRoot.length),
    indexPrefix: apiRoot,
    staticCSP: true,
    // The default policy ends with upgrade-insecure-requests, which makes a browser on another
    // machine fetch the page's CSS and JS over https from a server that speaks plain HTTP: a blank
    // page. Mapshelf serves HTTPS itself when given a certificate, or behind a proxy that does.
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/g, '').trim(),
    logo: { type: 'image/svg+xml', content: Buffer.from(logoSvg), href: docsPath, target: '_self' },
    theme: {
      title: 'Mapshelf API',
      favicon: [{ filename: 'favicon.svg', rel: 'icon', sizes: 'any', type: 'image/svg+xml', content: Buffer.from(logoSvg) }],
      css: [{ filename: 'mapshelf.css', content: '.swagger-ui .topbar { background-color: #1f3b4d; }' }],
    },
  });
}

/** Mapshelf's mark: three map sheets on a shelf. */
const logoSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 40" width="160" height="40">' +
  '<rect x="2" y="30" width="36" height="4" fill="#e8d9b0"/>' +
  '<rect x="5" y="8" width="8" height="22" fill="#7fb3d5"/><rect x="15" y="4" width="8" height="26" fill="#a9cf8f"/><rect x="25" y="10" width="8" height="20" fill="#f0b27a"/>' +
  '<text x="46" y="28" font-family="sans-serif" font-size="20" font-weight="bold" fill="#ffffff">Mapshelf</text></svg>';
