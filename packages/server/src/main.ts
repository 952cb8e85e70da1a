import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ConfigError, type ServerConfig } from './config.js';
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

/** The lock file a running server keeps in its data folder, holding its process id. */
export const lockFileName = 'server.lock';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes the data folder for this process: two servers on one folder would each empty `tmp/`
 * under the other and run the same jobs twice. A lock left by a process that has died is taken
 * over. The returned function releases it (also done on exit, should the process end without it).
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, lockFileName);
  const inUse = (pid: number) =>
    new ConfigError(
      `the data folder ${dataDir} is in use by another Mapshelf server (process ${pid}). Stop that server first, or give this one another --data-dir. If no server is running there, delete ${file}.`,
    );
  // Written whole under a name of its own, then linked into place: a lock file is never seen empty.
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, `${process.pid}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
        const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
        if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) throw inUse(pid);
        unlinkSync(file); // stale: its process is gone
      }
    }
  } finally {
    unlinkSync(mine);
  }
  // Two processes taking over one stale lock: the later unlinks the earlier's; only one keeps it.
  const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
  if (holder !== process.pid) throw inUse(holder);
  if (heldLocks.size === 0) process.on('exit', releaseAll);
  heldLocks.add(file);
  return () => {
    if (heldLocks.delete(file)) removeLock(file);
    if (heldLocks.size === 0) process.removeListener('exit', releaseAll);
  };
}

/** The lock files this process holds, released together if it exits without closing its servers. */
const heldLocks = new Set<string>();
const releaseAll = () => heldLocks.forEach(removeLock);

function removeLock(file: string): void {
  try {
    if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
  } catch {
    // already gone
  }
}

/** A listen failure as a message saying what to do: a port in use, or one this user may not take. */
function listenFailure(error: unknown, config: ServerConfig): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new ConfigError(
      `port ${config.port} on ${config.host} is already in use, perhaps by another Mapshelf server. Stop the program using it, or start this one on another port with --port (or MAPSHELF_PORT), e.g. --port ${config.port === 65535 ? 8080 : config.port + 1}.`,
    );
  }
  if (code === 'EACCES') return new ConfigError(`port ${config.port} on ${config.host} needs privileges this user lacks; use a port above 1023 with --port, e.g. --port 8080.`);
  if (code === 'EADDRNOTAVAIL') return new ConfigError(`${config.host} is not an address of this machine; give one with --host, e.g. --host 127.0.0.1 or --host 0.0.0.0.`);
  return error;
}

/** Takes the data folder's lock, opens the store, builds the app and listens. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const unlock = lockDataDir(config.dataDir);
  let store: Store;
  try {
    store = await Store.open(config.dataDir);
  } catch (error) {
    unlock();
    throw error;
  }
  try {
    await clearScratch(config.dataDir);
    const bootstrapped = config.bootstrapToken !== null && (await bootstrapAdminToken(store, config.bootstrapToken));
    const tokens = bootstrapped ? 'bootstrapped' : (await store.tokens.count()) > 0 ? 'present' : 'none';
    const app = await buildApp(config, store);
    const address = await app.listen({ host: config.host, port: config.port }).catch(async (error: unknown) => {
      await app.close();
      throw listenFailure(error, config);
    });
    await app.workers.start();
    const stopExpiry = startExportExpiry(app.domain, app.log);
    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= (async () => {
        stopExpiry();
        await app.close();
        await store.close();
        unlock();
      })());
    return { app, store, address, tokens, close };
  } catch (error) {
    await store.close();
    unlock();
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
