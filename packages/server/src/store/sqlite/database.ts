import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, sql } from 'kysely';
import { ImmediateSqliteDialect } from './immediate-transactions.js';
import { migrationFailure } from '../store-errors.js';
import { latestMigration, migrationProvider } from './migrations/index.js';
import type { Database } from '../schema.js';

export const catalogFileName = 'catalog.sqlite';

export interface OpenedDatabase {
  db: Kysely<Database>;
  /** The raw connection, for pragmas and health checks. */
  sqlite: SQLite.Database;
  path: string;
  /** The newest migration applied, as of opening (only this process migrates it). */
  migration: string | null;
}

/**
 * Opens (creating if needed) the SQLite catalog in the data folder, in WAL mode with foreign
 * keys on, and brings its schema up to date.
 */
export async function openDatabase(dataDir: string): Promise<OpenedDatabase> {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, catalogFileName);
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  // NORMAL is durable across application crashes in WAL mode; only a power cut can lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
  try {
    await migrate(db);
    // Table statistics for the query planner (what SQLite advises at open): which of a list's
    // indexes to use depends on how rare a filter's value is, e.g. a kind of item.
    sqlite.pragma('optimize=0x10002');
    return { db, sqlite, path, migration: await appliedMigration(db) };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

const statementCacheSize = 500;

/** A `prepare` that reuses the `size` statements most recently asked for. */
export function statementCache(sqlite: SQLite.Database, size: number): (source: string) => SQLite.Statement {
  const statements = new Map<string, SQLite.Statement>();
  return (source) => {
    let statement = statements.get(source);
    if (statement) {
      statements.delete(source);
    } else {
      statement = sqlite.prepare(source);
      if (statements.size >= size) statements.delete(statements.keys().next().value!);
    }
    statements.set(source, statement);
    return statement;
  };
}

/**
 * The connection as Kysely sees it, with prepared statements reused: Kysely prepares every query
 * anew, and compiling the SQL costs more than running most of them. Queries run one at a time on
 * this connection, so a statement is never in use twice.
 */
function withStatementCache(sqlite: SQLite.Database): SQLite.Database {
  const prepare = statementCache(sqlite, statementCacheSize);
  return new Proxy(sqlite, {
    get: (target, key) => {
      if (key === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, key, target);
      // better-sqlite3's native methods must be called on the connection itself.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Brings the schema up to date while holding SQLite's write lock. Kysely runs SQLite migrations
 * outside a transaction and takes no lock, so two processes opening a fresh catalog together
 * (`serve` and `worker`, or two `migrate`s) would both create its tables; with the lock, the
 * second waits (busy_timeout) and finds it migrated. SQLite's DDL is transactional, so a failed
 * migration leaves nothing behind.
 */
async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  await sql`begin immediate`.execute(db);
  let outcome: Awaited<ReturnType<Migrator['migrateToLatest']>>;
  try {
    outcome = await migrator.migrateToLatest();
  } finally {
    await sql.raw(outcome! && !outcome.error ? 'commit' : 'rollback').execute(db);
  }
  if (outcome.error) throw migrationFailure(outcome.error, outcome.results);
}

/** The name of the newest migration this build knows, for /health. */
export { latestMigration };

/** The newest migration applied to an open database. */
export async function appliedMigration(db: Kysely<Database>): Promise<string | null> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const applied = (await migrator.getMigrations()).filter((m) => m.executedAt);
  return applied.at(-1)?.name ?? null;
}
