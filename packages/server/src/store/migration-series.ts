import type { Migration, MigrationProvider } from 'kysely';

/** A store's migrations in order, as Kysely's migrator takes them, and the newest one's name. */
export function migrationSeries(migrations: Record<string, Migration>): { migrationProvider: MigrationProvider; latestMigration: string } {
  return {
    migrationProvider: {
      async getMigrations() {
        return migrations;
      },
    },
    latestMigration: Object.keys(migrations).at(-1)!,
  };
}
