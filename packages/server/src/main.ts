import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ConfigError, type ServerConfig } from './config.js';
import { bootstrapAdminToken } from './domain/bootstrap.js';
import { clearScratch } from './domain/data-paths.js';
import { startExportExpiry } from './jobs/export-expiry.js';
import type { Store } from './domain/ports/store.js';
import { holderIsGone } from './jobs/lease-holders.js';
import { openStore } from './store/open-store.js';

/** A running process of any role, as a signal handler stops it. */
export interface RunningProcess {
  log: FastifyBaseLogger;
  /** Stops its work (requests, jobs), then closes the database. */
  close(): Promise<void>;
}

export interface RunningServer extends RunningProcess {
  app: FastifyInstance;
  store: Store;
  /** The address it listens on, e.g. http://127.0.0.1:8080 */
  address: string;
  /** What first start found: a bootstrap token was created, tokens exist, or none exist yet. */
  tokens: 'bootstrapped' | 'present' | 'none';
  /** Stops taking requests, lets in-flight ones finish, stops its jobs, then closes the database. */
  close(): Promise<void>;
}

/** The lock file the API process keeps in its data folder, holding its process id. */
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
 * Takes the data folder for this process as its one API process (`serve`, with or without
 * workers). Worker processes take no lock: leases keep them from running a job twice, and each
 * run has its own scratch folder. The API is one process per folder because uploads in
 * `tmp/` are its own (it empties them at start) and a second one could only share SQLite's one
 * writer. A lock left by a process that has died is taken over. The returned function releases
 * it (also done on exit, should the process end without it).
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

/**
 * Opens the store, builds the app and listens, then starts its workers (unless `workers` is
 * off). On SQLite it first takes the data folder's lock; on PostgreSQL any number of API
 * processes share the database and the folder.
 */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const unlock = config.database ? () => {} : lockDataDir(config.dataDir);
  let store: Store;
  try {
    store = await openStore(config);
  } catch (error) {
    unlock();
    throw error;
  }
  try {
    // Uploads that ended API processes left (folders name their process).
    await clearScratch(config.dataDir, holderIsGone);
    const bootstrapped = config.bootstrapToken !== null && (await bootstrapAdminToken(store, config.bootstrapToken));
    const tokens = bootstrapped ? 'bootstrapped' : (await store.tokens.count()) > 0 ? 'present' : 'none';
    const app = await buildApp(config, store);
    const address = await app.listen({ host: config.host, port: config.port }).catch(async (error: unknown) => {
      await app.close();
      throw listenFailure(error, config);
    });
    if (config.workers) await app.workers.start();
    // The API process sweeps expired exports: exactly one per data folder, which serves their downloads.
    const stopExpiry = startExportExpiry(app.domain, app.log);
    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= (async () => {
        stopExpiry();
        await app.close();
        await store.close();
        unlock();
      })());
    return { app, log: app.log, store, address, tokens, close };
  } catch (error) {
    await store.close();
    unlock();
    throw error;
  }
}

/**
 * Closes a process cleanly on SIGTERM or SIGINT: in-flight requests finish, new ones get 503,
 * running jobs are queued again (another worker takes them at once), and the database is closed
 * before the process exits. A second signal exits at once.
 */
export function closeOnSignals(server: RunningProcess, onClosed: (signal: string) => void = () => {}): void {
  const handler = (signal: NodeJS.Signals) => {
    process.once(signal, () => process.exit(130));
    server.log.info({ signal }, 'shutting down');
    server.close().then(
      () => onClosed(signal),
      (error: unknown) => {
        server.log.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}
