import { Command } from 'commander';
import { withExamples } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { UserError } from '../output.js';
import { storeOptions } from '../server-options.js';

const help = `
Applies the catalog's schema migrations, then exits. \`mapshelf serve\` and \`mapshelf worker\` migrate
on start too; run this first when several processes share a PostgreSQL database, or to upgrade
at a time of your choosing. Processes starting together take an advisory lock, so the database
is migrated once. Migrations only add tables and columns: an upgrade never loses data.

Environment variables: MAPSHELF_DATA_DIR, MAPSHELF_DATABASE_URL.
`;

interface MigrateOptions {
  dataDir?: string;
  database?: string;
}

export function migrateCommand(): Command {
  const command = new Command('migrate').description("Bring the catalog database's schema up to date (SQLite in the data folder, or PostgreSQL with --database)");
  return withExamples(
    storeOptions(command).addHelpText('after', help),
    'mapshelf migrate --data-dir /srv/mapshelf',
    'mapshelf migrate --database postgres://mapshelf:secret@localhost:5432/mapshelf',
  ).action(async (options: MigrateOptions) => {
    // Loaded here, not at the top: every other command starts without GDAL and the server.
    const { ConfigError, migrateStore, resolveStoreConfig } = await import('@mapshelf/server');
    try {
      const settings = resolveStoreConfig(options);
      const result = await migrateStore(settings);
      const where = settings.database ? 'PostgreSQL catalog' : `SQLite catalog in ${settings.dataDir}`;
      process.stderr.write(`The ${where} is at migration ${result.migration} (the newest this Mapshelf knows).\n`);
    } catch (error) {
      throw error instanceof ConfigError ? new UserError(error.message, ExitCode.config) : error;
    }
  });
}
