import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

type OAuthFlow = { tokenUrl: string; refreshUrl?: string; scopes: Record<string, string> };
type SecurityScheme =
  | { type: 'apiKey'; in: 'header'; name: string; description?: string }
  | { type: 'oauth2'; description?: string; flows: { clientCredentials?: OAuthFlow; password?: OAuthFlow } };

/** What names a face's document: its `info`, security schemes and default security. */
export interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  components?: { securitySchemes?: Record<string, SecurityScheme> };
  security?: Array<Record<string, string[]>>;
}

/** The generated document, as `app.swagger()` gives it: the parts a face's document takes. */
interface GeneratedDocument {
  paths?: Record<string, unknown>;
  components?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * One face's document from the server's: the paths `mine` keeps, under the face's own name and
 * security schemes. Every face is documented from the one generated document, so each route
 * appears in exactly one face's.
 */
export function faceDocument(whole: unknown, face: OpenApiDocument, mine: (path: string) => boolean): GeneratedDocument {
  const generated = whole as GeneratedDocument;
  const paths = Object.fromEntries(Object.entries(generated.paths ?? {}).filter(([path]) => mine(path)));
  return { ...generated, ...face, paths, components: { ...generated.components, ...face.components } };
}

/**
 * The OpenAPI 3 document, generated from the route schemas of the whole server. Registered on
 * the root before any route, so that every route is in it, the faces' and the site's, with every
 * face's security schemes (routes name them). Each face describes its own routes (tags, and its
 * auth per route) and serves its part (`faceDocument`) where it wants it. The first document
 * names the whole.
 */
export async function registerOpenApi(app: FastifyInstance, documents: readonly OpenApiDocument[]): Promise<void> {
  const [first] = documents;
  const securitySchemes = Object.assign({}, ...documents.map((d) => d.components?.securitySchemes ?? {})) as Record<string, SecurityScheme>;
  await app.register(swagger, { openapi: { openapi: '3.0.3', ...first, components: { securitySchemes } } });
}
