// Where a run's servers keep their catalog (`--store`): SQLite in each data folder, or PostgreSQL
// databases in a throwaway cluster (scripts/test-postgres.mjs, durable, as production runs it),
// or in the test suite's cluster when MAPSHELF_TEST_DATABASE_URL names one.
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { startTestCluster, templateDatabase } from '../scripts/test-postgres.mjs';

export const storeKinds = ['sqlite', 'postgres'];

/** `--store sqlite|postgres|both` as the list of stores to run on. */
export function chosenStores(flag = 'sqlite') {
  if (flag === 'both') return storeKinds;
  if (!storeKinds.includes(flag)) throw new Error(`--store must be sqlite, postgres or both, not "${flag}"`);
  return [flag];
}

/** Runs one query on a database as the cluster's admin; its rows. */
export async function adminQuery(url, text, params = []) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** SQLite: each server's catalog is the file in its data folder, so there is no database to make. */
function sqliteStore() {
  const db = new SQLite(':memory:');
  const version = db.prepare('select sqlite_version() as v').get().v;
  db.close();
  return {
    kind: 'sqlite',
    database: async () => null,
    drop: async () => {},
    describe: async () => ({ kind: 'sqlite', version }),
    close: async () => {},
  };
}

/**
 * PostgreSQL: `database()` makes a fresh database from the cluster's template (PostGIS in it,
 * not yet migrated: the first server migrates it); `close()` drops those left and stops a
 * cluster of our own.
 */
async function postgresStore(log) {
  const shared = process.env.MAPSHELF_TEST_DATABASE_URL;
  let cluster = null;
  if (!shared) {
    log('starting a PostgreSQL cluster (durable: fsync and synchronous commits on)');
    cluster = await startTestCluster({ durable: true });
    // A crash or Ctrl-C must not leave the cluster running; stop() is synchronous, as an exit hook must be.
    process.once('exit', () => cluster?.stop());
  }
  const admin = shared || cluster.admin;
  const made = new Set();
  const nameOf = (url) => decodeURIComponent(new URL(url).pathname.slice(1));
  return {
    kind: 'postgres',
    async database() {
      const name = `mapshelf_bench_${randomBytes(6).toString('hex')}`;
      await adminQuery(admin, `create database ${name} template ${templateDatabase}`);
      made.add(name);
      const url = new URL(admin);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async drop(url) {
      const name = nameOf(url);
      await adminQuery(admin, `drop database if exists ${name} with (force)`);
      made.delete(name);
    },
    async describe() {
      const settings = ['server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers'];
      const rows = await adminQuery(admin, `select name, current_setting(name) as setting from unnest($1::text[]) as name`, [settings]);
      const [postgis] = await adminQuery(admin, `select default_version from pg_available_extensions where name = 'postgis'`);
      return {
        kind: 'postgres',
        version: rows.find((r) => r.name === 'server_version').setting,
        postgis: postgis?.default_version ?? null,
        cluster: shared ? "the test suite's cluster (MAPSHELF_TEST_DATABASE_URL)" : "the run's own throwaway cluster",
        settings: Object.fromEntries(rows.filter((r) => r.name !== 'server_version').map((r) => [r.name, r.setting])),
      };
    },
    async close() {
      for (const name of made) await adminQuery(admin, `drop database if exists ${name} with (force)`);
      made.clear();
      cluster?.stop();
      cluster = null;
    },
  };
}

/** The store of a kind, ready to give databases. */
export const openStore = (kind, log) => (kind === 'postgres' ? postgresStore(log) : sqliteStore());
