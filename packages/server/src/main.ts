import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { ServerConfig } from './config.js';
import { bootstrapAdminToken } from './domain/bootstrap.js';
import { clearScratch } from './domain/data-paths.js';
import { startExportExpiry } from './jobs/export-expiry.js';
import { Store } from './store/store.js';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  /** The address it listens on, e.g. http://127.0.0.1:8080 */
  address: string;
  /** What first start found: a bootstrap token was created, tokens exist, or none exist yet. */
  tokens: 'bootstrapped' | 'present' | 'none';
  /** Stops taking requests, lets in-flight ones finish, then closes the database. */
  close(): Promise<void>;
}

/** Opens the store, builds the app and listens. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const store = await Store.open(config.dataDir);
  await clearScratch(config.dataDir);
  try {
    const bootstrapped = config.bootstrapToken !== null && (await bootstrapAdminToken(store, config.bootstrapToken));
    const tokens = bootstrapped ? 'bootstrapped' : (await store.tokens.count()) > 0 ? 'present' : 'none';
    const app = await buildApp(config, store);
    // Loads the catalog's search keys now (about 3 s at 100,000 items) rather than in the first search.
    await store.catalog.prepareSearch();
    const address = await app.listen({ host: config.host, port: config.port });
    await app.workers.start();
    const stopExpiry = startExportExpiry(app.domain, app.log);
    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= (async () => {
        stopExpiry();
        await app.close();
        await store.close();
      })());
    return { app, store, address, tokens, close };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * Closes the server cleanly on SIGTERM or SIGINT: in-flight requests finish, new ones get 503,
 * and the database is closed before the process exits. A second signal exits at once.
 */
export function closeOnSignals(server: RunningServer, onClosed: (signal: string) => void = () => {}): void {
  const handler = (signal: NodeJS.Signals) => {
    process.once(signal, () => process.exit(130));
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => onClosed(signal),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}
