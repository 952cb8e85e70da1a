import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.js';
import { loggerOptions } from './log-lines.js';
import type { DomainContext } from './domain/context.js';
import type { Store } from './domain/ports/store.js';
import type { Scope } from './domain/scopes.js';
import { createJobRuntime } from './jobs/job-runtime.js';
import type { WorkerPool } from './jobs/worker-pool.js';
import { dataApi } from './http/data-api/plugin.js';
import { metadataApi } from './http/metadata-api/plugin.js';
import { oauth } from './http/oauth/plugin.js';
import { registerHealth } from './http/health.js';
import { shareLinks } from './http/share-links/plugin.js';
import { registerConnectionLimits, timeoutOptions } from './http/shared/connection-limits.js';
import { registerCors } from './http/shared/cors.js';
import { registerSiteFallback } from './http/shared/errors.js';
import type { Face } from './http/shared/face.js';
import { registerJsonBody } from './http/shared/json-body.js';
import { registerOpenApi } from './http/shared/openapi.js';
import { registerPublicUrls } from './http/shared/public-url.js';
import { registerRequestIdHeader, requestIdOptions } from './http/shared/request-id.js';
import { registerValidation } from './http/shared/validation.js';
import { registerSiteRoot } from './http/site-root.js';

/** The API faces, each a folder under `http/` with its plugin. A new face is one more entry. */
const faces: readonly Face[] = [dataApi, metadataApi, oauth, shareLinks];

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's job workers; started by `startServer` once the app listens, unless it serves the API only. */
    workers: WorkerPool;
    /** The domain the routes use, for in-process callers (seeding scripts, embedding). */
    domain: DomainContext;
    /** Every route of every face as registered, with its auth config: what the authorization matrix tests walk. */
    routeTable: RouteEntry[];
  }
}

/** A route as registered: its method, full path, and the auth its config asks for. */
export interface RouteEntry {
  method: string;
  url: string;
  auth: 'required' | 'optional' | 'public';
  scope: Scope | readonly Scope[] | undefined;
}

/** Builds the HTTP app and its job workers over a store. `main.ts` starts it. */
export async function buildApp(config: ServerConfig, store: Store): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config),
    ...timeoutOptions(config),
    ...(config.tls && { https: { cert: config.tls.cert, key: config.tls.key, ...timeoutOptions(config).http } }),
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimit,
    ...requestIdOptions,
    // Routing is server-wide, so a face's URL rewrites (older versions of its prefix) run here.
    rewriteUrl: (req) => faces.reduce((url, face) => face.rewriteUrl?.(url) ?? url, req.url ?? '/'),
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  const { domain: ctx, jobs } = createJobRuntime(store, app.log, config);
  app.decorate('workers', jobs.workers);
  app.decorate('domain', ctx);
  app.decorate('routeTable', []);
  // On the root, so that it hears the routes of every face's plugin.
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) app.routeTable.push({ method, url: route.url, auth: route.config?.auth ?? 'required', scope: route.config?.scope });
  });
  // Runs after in-flight requests finish: running jobs stop and are queued again, for another process or the next start.
  app.addHook('onClose', () => jobs.workers.stop());

  // What every face shares, on the root so that each face inherits it.
  registerValidation(app);
  registerJsonBody(app);
  // Uploads stream part by part; the limits stop a request before it fills the disk.
  await app.register(multipart, {
    // A file part's name is its upload path (folders included); upload.ts checks it is safe.
    preservePath: true,
    limits: { fileSize: config.uploadLimit, files: 1000, fields: 10, fieldSize: 1024 * 1024, parts: 1010 },
  });
  registerPublicUrls(app, config.publicUrl);
  registerRequestIdHeader(app);
  // Before CORS and any face's authentication: slow, greedy and body-sending clients are refused first.
  registerConnectionLimits(app, config);
  // Before any face's authentication: a preflight carries no token.
  registerCors(app, config.corsOrigins, faces);
  // Paths outside every face get the site's plain errors; each face sets its own.
  registerSiteFallback(app);

  await registerOpenApi(app, faces.flatMap((face) => (face.document ? [face.document] : [])));
  registerHealth(app, ctx);
  registerSiteRoot(app, faces);
  for (const face of faces) await app.register(face.plugin, { prefix: face.prefix, ctx });
  return app;
}
