import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

/** What names the served document: its `info`, security schemes and default security. */
export interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  components?: { securitySchemes?: Record<string, { type: 'apiKey'; in: 'header'; name: string; description?: string }> };
  security?: Array<Record<string, string[]>>;
}

/**
 * The OpenAPI 3 document, generated from the route schemas of the whole server. Registered on
 * the root before any route, so that every route is in it, the faces' and the site's. Each face
 * describes its own routes (tags, and its auth per route) and serves the document where it
 * wants it.
 */
export async function registerOpenApi(app: FastifyInstance, document: OpenApiDocument): Promise<void> {
  await app.register(swagger, { openapi: { openapi: '3.0.3', ...document } });
}
