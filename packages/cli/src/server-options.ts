import type { Command } from 'commander';

/**
 * The store settings every process role takes (`serve`, `worker`, `migrate`), so each role finds
 * the same catalog and files.
 */
export function storeOptions(command: Command): Command {
  return command
    .option('--data-dir <path>', 'data folder (default ./mapshelf-data); with --database, the layers\' files only, shared by every process')
    .option('--database <url>', 'keep the catalog in PostgreSQL/PostGIS, e.g. postgres://mapshelf:secret@localhost:5432/mapshelf (default: SQLite in the data folder)');
}

/** What every process role takes besides the store: job sharing, export settings, logging. */
export function processOptions(command: Command): Command {
  return command
    .option('--export-ttl <duration>', 'how long finished exports stay downloadable, e.g. 12h or 30d (default 7d)')
    .option('--export-concurrency <n>', 'exports that run at once in each process that runs jobs; more wait in the queue (default 2)')
    .option('--job-lease <duration>', "how long a process's hold on a running job lasts unless renewed: a job of a process that died waits this long for another (default 60s)")
    .option('--job-renewal <duration>', 'how often running jobs renew their lease; at most half of --job-lease (default 15s)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default info)')
    .option('--log-format <format>', 'pretty (a line per request) or json (default pretty in a terminal, json otherwise)');
}

/** The options of `processOptions` and `storeOptions`, as commander gives them. */
export interface ProcessOptions {
  dataDir?: string;
  database?: string;
  exportTtl?: string;
  exportConcurrency?: string;
  jobLease?: string;
  jobRenewal?: string;
  logLevel?: string;
  logFormat?: string;
}

/** The environment variables of those options, for help texts. */
export const processVariables =
  'MAPSHELF_DATA_DIR, MAPSHELF_DATABASE_URL, MAPSHELF_EXPORT_TTL, MAPSHELF_EXPORT_CONCURRENCY, MAPSHELF_JOB_LEASE, MAPSHELF_JOB_RENEWAL, MAPSHELF_LOG_LEVEL, MAPSHELF_LOG_FORMAT';
