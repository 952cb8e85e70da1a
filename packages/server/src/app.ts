import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.js';
import { loggerOptions } from './log-lines.js';
import type { DomainContext } from './domain/context.js';
import { createJobRuntime } from './jobs/job-runtime.js';
import type { WorkerPool } from './jobs/worker-pool.js';
import type { Store } from './domain/ports/store.js';
import { registerAuth } from './http/common/auth.js';
import { registerConnectionLimits, timeoutOptions } from './http/common/connection-limits.js';
import { registerCors } from './http/common/cors.js';
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

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's job workers; started by `startServer` once the app listens, unless it serves the API only. */
    workers: WorkerPool;
    /** The domain the routes use, for in-process callers (seeding scripts, embedding). */
    domain: DomainContext;
  }
}

/** Builds the HTTP app and its job workers over a store. `main.ts` starts it. */
export async function buildApp(config: ServerConfig, store: Store): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config),
    ...timeoutOptions(config),
    ...(config.tls && { https: { cert: config.tls.cert, key: config.tls.key, ...timeoutOptions(config).http } }),
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

  const { domain: ctx, jobs } = createJobRuntime(store, app.log, config);
  app.decorate('workers', jobs.workers);
  app.decorate('domain', ctx);
  // Runs after in-flight requests finish: running jobs stop and are queued again, for another process or the next start.
  app.addHook('onClose', () => jobs.workers.stop());

  registerValidation(app);
  registerJsonBody(app);
  // Uploads stream part by part; the limits stop a request before it fills the disk.
  await app.register(multipart, {
    // A file part's name is its upload path (folders included); upload.ts checks it is safe.
    preservePath: true,
    limits: { fileSize: config.uploadLimit, files: 1000, fields: 10, fieldSize: 1024 * 1024, parts: 1010 },
  });
  registerErrorHandler(app);

  app.decorateRequest('urlFor', null as never);
  app.addHook('onRequest', async (request, reply) => {
    const origin = publicOrigin(request, config.publicUrl);
    request.urlFor = (path) => `${origin}${path}`;
    reply.header('X-Request-Id', request.id);
  });
  // Before CORS and authentication: slow, greedy and body-sending clients are refused first.
  registerConnectionLimits(app, config);
  // Before authentication: a preflight carries no token.
  registerCors(app, config.corsOrigins);
  registerAuth(app, ctx);

  const routes = collectRoutes(app);
  await registerOpenApi(app);
  registerHealth(app, ctx);
  registerDataApi(app, ctx);
  registerMethodNotAllowed(app, routes);
  registerNotFound(app);
  return app;
}
