import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';
import * as searchByView from './0002-search-by-view.js';

/**
 * PostgreSQL's schema migrations, in order: its own series, additive like SQLite's. Append,
 * never edit.
 */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-search-by-view': searchByView,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};

export const latestMigration = Object.keys(migrations).at(-1)!;
