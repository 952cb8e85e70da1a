import type { MigrationResult } from 'kysely';
import { ConfigError } from '../config.js';

/**
 * A store that cannot open: a bad URL, an unreachable server, a wrong password, PostGIS missing,
 * a database from a newer Mapshelf. Its message is one line that says what to do; `serve`,
 * `worker` and `migrate` print it and exit non-zero, without a stack trace.
 */
export class StoreStartError extends ConfigError {
  override name = 'StoreStartError';
}

/** Kysely's migration error, told the way an operator needs it. */
export function migrationFailure(error: unknown, results: MigrationResult[] | undefined): Error {
  const message = error instanceof Error ? error.message : String(error);
  const missing = /previously executed migration (\S+) is missing/.exec(message);
  if (missing) {
    return new StoreStartError(`the catalog database was migrated by a newer Mapshelf (it has migration ${missing[1]}, which this version does not know). Upgrade Mapshelf, or start this version on a copy made before the upgrade.`);
  }
  const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
  return new Error(`Catalog database migration ${failed} failed: ${message}`, { cause: error });
}

const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300', 'SQLITE_BUSY']);
const unavailableMessages = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|connect ECONNREFUSED/i;

/**
 * True when a store call failed because the database is out of reach for now (PostgreSQL down or
 * restarting, every connection taken, SQLite locked past its busy timeout), not because of the
 * request: the caller answers 503 and tries again later.
 */
export function isStoreUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (unavailableCodes.has(code) || code.startsWith('08'))) return true;
    if (e instanceof Error && unavailableMessages.test(e.message)) return true;
  }
  return false;
}
