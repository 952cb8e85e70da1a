import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.js';
import type { DomainContext } from './domain/context.js';
import { registerAuth } from './http/common/auth.js';
import { registerErrorHandler } from './http/common/error-handler.js';
import { registerJsonBody } from './http/common/json-body.js';
import { collectRoutes, registerMethodNotAllowed, registerNotFound } from './http/common/not-found.js';
import { apiRoot, publicOrigin } from './http/common/urls.js';
import { registerValidation } from './http/common/validation.js';
import { registerDataApi } from './http/data-api/index.js';
import { registerHealth } from './http/health.js';
import { registerOpenApi } from './http/openapi.js';

const versionedRoot = /^\/services\/api\/v1\.\d+\//;
const safeRequestId = /^[\w.:-]{1,128}$/;

/** Builds the HTTP app over a domain context. `main.ts` starts it; tests may too. */
export async function buildApp(config: ServerConfig, ctx: DomainContext): Promise<FastifyInstance> {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    ...(config.tls && { https: { cert: config.tls.cert, key: config.tls.key } }),
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimit,
    // A client's X-Request-Id is kept when it is short and plain, so it can't forge log lines.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && safeRequestId.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    // Koordinates responses may carry /services/api/v1.x/ URLs; they name the same routes.
    rewriteUrl: (req) => (req.url ?? '/').replace(versionedRoot, `${apiRoot}/`),
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  registerValidation(app);
  registerJsonBody(app);
  registerErrorHandler(app);

  app.decorateRequest('urlFor', null as never);
  app.addHook('onRequest', async (request, reply) => {
    const origin = publicOrigin(request, config.publicUrl);
    request.urlFor = (path) => `${origin}${path}`;
    reply.header('X-Request-Id', request.id);
  });
  registerAuth(app, ctx);

  const routes = collectRoutes(app);
  await registerOpenApi(app);
  registerHealth(app, ctx);
  registerDataApi(app, ctx);
  registerMethodNotAllowed(app, routes);
  registerNotFound(app);
  return app;
}
