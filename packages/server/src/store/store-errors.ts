import type { MigrationResult } from 'kysely';

/**
 * A store that cannot open: a bad URL, an unreachable server, a wrong password, PostGIS missing,
 * a database from a newer Mapshelf. Its message is one line that says what to do; `serve`,
 * `worker` and `migrate` print it and exit non-zero, without a stack trace.
 */
export class StoreStartError extends Error {
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
