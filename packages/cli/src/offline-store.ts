import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { join, resolve } from 'node:path';
import type { CatalogStore } from '@mapshelf/server';
import { ExitCode } from './exit-codes.js';
import { UserError } from './output.js';

export interface OfflineStoreOptions {
  dataDir?: string;
  database?: string;
  /** Create a new catalog in --data-dir if it holds none. */
  init?: boolean;
  /** False: only the flags choose (`tokens create`, whose --data-dir also means "offline"). */
  environment?: boolean;
}

/**
 * Runs `work` straight on the catalog database (a data folder's SQLite file, or PostgreSQL), for
 * the operator's first token, application or password: no server or token needed, and safe
 * while servers run. Errors of `work` become one line.
 */
export async function withOfflineStore<T>(options: OfflineStoreOptions, work: (store: CatalogStore) => Promise<T>): Promise<T> {
  const { ConfigError, openStore, resolveStoreConfig } = await import('@mapshelf/server');
  // As `serve` finds it: the flags, else MAPSHELF_DATA_DIR and MAPSHELF_DATABASE_URL, else ./mapshelf-data.
  const { dataDir, database } =
    options.environment === false
      ? { dataDir: resolve(options.dataDir ?? '.'), database: options.database ?? null }
      : resolveStoreConfig({ ...(options.dataDir !== undefined && { dataDir: options.dataDir }), ...(options.database !== undefined && { database: options.database }) });
  // A mistyped folder would otherwise become a new, empty catalog that no server knows.
  if (database === null && !options.init && !existsSync(join(dataDir, 'catalog.sqlite'))) {
    throw new UserError(
      `${dataDir} holds no Mapshelf catalog (no catalog.sqlite). Give the folder the server uses (\`mapshelf serve\` prints it: "is serving …")${options.init === undefined ? '' : ', or add --init to start a new catalog there'}.`,
      ExitCode.config,
    );
  }
  const store = await openStore({ dataDir, database }).catch((error: unknown) => {
    throw error instanceof ConfigError ? new UserError(error.message, ExitCode.config) : error;
  });
  try {
    return await work(store);
  } catch (error) {
    throw error instanceof UserError ? error : new UserError((error as Error).message, ExitCode.failure);
  } finally {
    await store.close();
  }
}

/** A command that works on the catalog database itself: the flags that choose it, and the output flags. */
export function offlineCommand(name: string, description: string, json = 'print the result as JSON, for scripts'): Command {
  return new Command(name)
    .description(description)
    .option('--data-dir <path>', 'the data folder the server uses (default MAPSHELF_DATA_DIR, or ./mapshelf-data)')
    .option('--database <url>', 'the PostgreSQL catalog instead, postgres://… (default MAPSHELF_DATABASE_URL)')
    .option('--json', json)
    .option('--debug', 'show stack traces on errors');
}
