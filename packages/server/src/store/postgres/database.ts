import pg from 'pg';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import { StoreStartError, migrationFailure } from '../store-errors.js';
import type { Database } from '../schema.js';
import { latestMigration, migrationProvider } from './migrations/index.js';

export interface OpenedPostgres {
  db: Kysely<Database>;
  pool: pg.Pool;
  /** The URL with its password hidden, for messages and /health. */
  safeUrl: string;
  /** The newest migration applied, as of opening. */
  migration: string | null;
}

const int8 = 20;
const numeric = 1700;
const timestamptz = 1184;

/**
 * Row values as the repositories expect them on either engine: counts and bigint columns as
 * numbers (they stay far below 2^53), timestamps as the ISO 8601 text SQLite stores.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    // int8 (counts, sizes) and numeric (sums of counts): whole numbers far below 2^53.
    if (oid === int8 || oid === numeric) return (value: string) => Number(value);
    if (oid === timestamptz) return (value: string) => new Date(value).toISOString();
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unreadable database URL)';
  }
}

export function parseDatabaseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreStartError(`--database ${redactUrl(url)} is not a URL; give one like postgres://user:password@localhost:5432/mapshelf.`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new StoreStartError(`--database must be a postgres:// URL (got ${parsed.protocol}//…); leave it out to use the SQLite file in the data folder.`);
  }
  if (parsed.pathname.length <= 1) throw new StoreStartError(`--database ${redactUrl(url)} names no database; add it after the host, e.g. postgres://user:password@localhost:5432/mapshelf.`);
  return parsed;
}

export interface PoolOptions {
  /** Connections this process may hold. */
  max?: number;
}

/**
 * Connects to PostgreSQL, checks PostGIS, and brings the schema up to date. Kysely's migrator
 * takes a transaction-scoped advisory lock on PostgreSQL, so processes starting together migrate
 * the database once; the others wait and find it current.
 */
export async function openPostgres(url: string, options: PoolOptions = {}): Promise<OpenedPostgres> {
  const parsed = parseDatabaseUrl(url);
  const safeUrl = redactUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    // A statement stuck behind a lock fails instead of holding a request forever.
    statement_timeout: 60_000,
    application_name: 'mapshelf',
  });
  // An idle client losing its server (a restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await checkServer(pool, parsed, safeUrl);
    await migrate(db);
    return { db, pool, safeUrl, migration: await appliedMigration(db) };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

async function checkServer(pool: pg.Pool, url: URL, safeUrl: string): Promise<void> {
  const database = decodeURIComponent(url.pathname.slice(1));
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw new StoreStartError(connectFailure(error, safeUrl, database), { cause: error });
  }
  try {
    const { rows } = await client.query<{ version: number }>(`select current_setting('server_version_num')::int as version`);
    if (rows[0]!.version < 130000) throw new StoreStartError(`${safeUrl}: Mapshelf needs PostgreSQL 13 or newer.`);
    const postgis = await client.query(`select 1 from pg_extension where extname = 'postgis'`);
    if (postgis.rowCount === 0) {
      try {
        await client.query('create extension postgis');
      } catch {
        throw new StoreStartError(
          `${safeUrl}: the PostGIS extension is not installed in database "${database}", and this user may not install it. As a superuser, run: sudo -u postgres psql -d ${database} -c 'CREATE EXTENSION postgis' (Debian: apt-get install postgresql-15-postgis-3).`,
        );
      }
    }
  } finally {
    client.release();
  }
}

function connectFailure(error: unknown, safeUrl: string, database: string): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === '28P01' || code === '28000') return `${safeUrl}: PostgreSQL refused the user name or password (${message}). Check the user and password in --database.`;
  if (code === '3D000') return `${safeUrl}: database "${database}" does not exist. Create it: sudo -u postgres createdb -O <user> ${database}`;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || /timeout/i.test(message)) {
    return `${safeUrl}: cannot reach PostgreSQL (${message}). Is the server running and the host and port right?`;
  }
  return `${safeUrl}: cannot connect to PostgreSQL (${message}).`;
}

async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw migrationFailure(error, results);
}

export async function appliedMigration(db: Kysely<Database>): Promise<string | null> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const applied = (await migrator.getMigrations()).filter((m) => m.executedAt);
  return applied.at(-1)?.name ?? null;
}

export { latestMigration };
