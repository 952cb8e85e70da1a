import type { FastifyInstance } from 'fastify';
import { metadataScopes } from '../../../domain/scopes.js';
import { serverVersion } from '../../../version.js';
import { faceDocument, type OpenApiDocument } from '../../shared/openapi.js';
import { metadataRoot } from './urls.js';

const scopes: Record<(typeof metadataScopes)[number], string> = {
  'resources:read': 'Read records and what workgroups keep',
  'resources:write': 'Change them (the admins and editors of a workgroup)',
  admin: 'Site administration (an admin user, through a user application that holds it)',
};

/** The Metadata API's document: its title, and OAuth2 (client credentials, password) as its security. */
export const metadataApiDocument: OpenApiDocument = {
  info: {
    title: 'Mapshelf Metadata API',
    version: serverVersion,
    description:
      'Isogeo-compatible Metadata API: records, workgroups and what they keep, with `_include` and `_lang`. Get a Bearer token at ' +
      '`/oauth/token`: a group application with its client credentials, a user application with a user name and password.',
  },
  components: {
    securitySchemes: {
      oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes }, password: { tokenUrl: '/oauth/token', refreshUrl: '/oauth/token', scopes } } },
    },
  },
  security: [{ oauth2: ['resources:read'] }],
};

/**
 * Each route says in the document the scope it needs, from the same config its auth hook
 * enforces; `openapi.json` serves this face's part of the server's document, under its name.
 */
export function registerMetadataDocs(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const auth = route.config?.auth;
    const scope = route.config?.scope ?? 'resources:read';
    route.schema = { ...route.schema, security: auth === 'public' ? [] : [{ oauth2: [scope].flat() }] };
  });
  // With its slash, as the face's URL rewrite gives every path one.
  app.get('/openapi.json/', { config: { auth: 'public' }, schema: { hide: true } }, async () =>
    faceDocument(app.swagger(), metadataApiDocument, (path) => path.startsWith(`${metadataRoot}/`)),
  );
}
