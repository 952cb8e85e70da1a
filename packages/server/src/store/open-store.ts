import type * as port from '../domain/ports/store.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { Store } from './store.js';

export interface StoreSettings {
  dataDir: string;
  /** A postgres:// URL; null for the SQLite file in the data folder. */
  database: string | null;
}

/** Opens the catalog store the settings name: PostgreSQL when a URL is given, else embedded SQLite. */
export async function openStore(settings: StoreSettings): Promise<port.Store> {
  return settings.database ? PostgresStore.open(settings.database) : Store.open(settings.dataDir);
}

/**
 * Brings the catalog's schema up to date and closes it (`mapshelf migrate`). Opening migrates:
 * on PostgreSQL under an advisory lock, so processes starting together migrate once.
 */
export async function migrateStore(settings: StoreSettings): Promise<{ engine: 'sqlite' | 'postgres'; migration: string | null; latestMigration: string }> {
  const store = await openStore(settings);
  try {
    const { engine, migration, latestMigration } = await store.health();
    return { engine, migration, latestMigration };
  } finally {
    await store.close();
  }
}
