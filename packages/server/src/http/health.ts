import type { FastifyInstance } from 'fastify';
import type { DomainContext } from '../domain/context.js';
import { storeHealth } from '../domain/health.js';
import { gdalInfo } from '../geo/gdal.js';
import { serverVersion } from '../version.js';

/**
 * `GET /health`: 200 when the catalog database answers, 503 when it does not. Outside every
 * face, so no face's token scheme applies; the document says it takes anyone.
 */
export function registerHealth(app: FastifyInstance, ctx: DomainContext): void {
  const gdal = gdalInfo();
  app.get('/health', { schema: { summary: 'Server health', tags: ['service'], security: [] } }, async (_request, reply) => {
    const { ok, database } = await storeHealth(ctx);
    reply.code(ok ? 200 : 503);
    return {
      status: ok ? 'ok' : 'error',
      version: serverVersion,
      database,
      gdal: { version: gdal.version, vector_drivers: gdal.vectorDrivers },
    };
  });
}
