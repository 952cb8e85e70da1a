/**
 * A fresh PostgreSQL database per test server when the suite runs on PostgreSQL
 * (`scripts/run-tests.mjs --store postgres` sets MAPSHELF_TEST_DATABASE_URL to the throwaway
 * cluster's admin URL). Copied from a template that has PostGIS, it takes ~50 ms.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** The store the suite runs on. */
export const testStore: 'sqlite' | 'postgres' = process.env.MAPSHELF_TEST_DATABASE_URL ? 'postgres' : 'sqlite';

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.MAPSHELF_TEST_DATABASE_URL, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new empty database, or null when the suite runs on SQLite. */
export async function createTestDatabase(): Promise<TestDatabase | null> {
  const adminUrl = process.env.MAPSHELF_TEST_DATABASE_URL;
  if (!adminUrl) return null;
  const name = `mapshelf_t_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`create database ${name} template ${process.env.MAPSHELF_TEST_TEMPLATE ?? 'mapshelf_template'}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(async (client) => void (await client.query(`drop database if exists ${name} with (force)`))),
  };
}

/** Where a test's catalog lives: the SQLite file in its data folder, or its PostgreSQL database. */
export interface CatalogLocation {
  dataDir: string;
  database: string | null;
}

/**
 * Reads a test catalog with plain SQL (`?` placeholders), on whichever store holds it: for
 * checks the API does not show, such as job rows and uids.
 */
export async function queryCatalog<T = Record<string, unknown>>(where: CatalogLocation, text: string, params: unknown[] = []): Promise<T[]> {
  if (where.database) {
    // Counts (int8) as numbers, as SQLite gives them.
    const types = { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)) } as pg.CustomTypesConfig;
    const client = new pg.Client({ connectionString: where.database, connectionTimeoutMillis: 10_000, types });
    await client.connect();
    try {
      let n = 0;
      return (await client.query(text.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const { default: SQLite } = await import('better-sqlite3');
  const db = new SQLite(join(where.dataDir, 'catalog.sqlite'), { readonly: true });
  try {
    return db.prepare(text).all(...params) as T[];
  } finally {
    db.close();
  }
}
