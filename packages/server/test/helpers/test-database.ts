/**
 * A fresh PostgreSQL database per test server when the suite runs on PostgreSQL
 * (`scripts/run-tests.mjs --store postgres` sets MAPSHELF_TEST_DATABASE_URL to the throwaway
 * cluster's admin URL). Copied from a template that has PostGIS, it takes ~50 ms.
 */
import { randomBytes } from 'node:crypto';
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
