import { Command, CommanderError } from 'commander';
import { completionCommand } from './commands/completion.js';
import { exportCommands } from './commands/exports.js';
import { importCommand } from './commands/import.js';
import { layersCommand, tablesCommand } from './commands/layers.js';
import { searchCommand } from './commands/search.js';
import { serveCommand } from './commands/serve.js';
import { sessionCommands } from './commands/session.js';
import { setsCommand } from './commands/sets.js';
import { sourcesCommand } from './commands/sources.js';
import { tokensCommand } from './commands/tokens.js';
import { applicationsCommand } from './commands/applications.js';
import { usersCommand } from './commands/users.js';
import { workerCommand } from './commands/worker.js';
import { migrateCommand } from './commands/migrate.js';
import { ExitCode } from './exit-codes.js';
import { describeFailure } from './failure.js';
import { cliVersion } from './version.js';

/** The one command table, in the order `--help` lists them. */
const commands: Array<() => Command> = [
  ...sessionCommands,
  importCommand,
  layersCommand,
  tablesCommand,
  setsCommand,
  sourcesCommand,
  searchCommand,
  ...exportCommands,
  tokensCommand,
  applicationsCommand,
  usersCommand,
  serveCommand,
  workerCommand,
  migrateCommand,
  completionCommand,
];

const overview = `
Connect once with \`mapshelf login --url URL --token TOKEN\` (or set MAPSHELF_URL and MAPSHELF_TOKEN),
then load, publish, find and export:
  mapshelf import roads.zip rivers.gpkg --publish --wait
  mapshelf search roads
  mapshelf export 12 --format shp --crs EPSG:2193 --crop area.geojson -o ./downloads/

Run \`mapshelf <command> --help\` for a command's options and examples.`;

export function buildProgram(): Command {
  const program = new Command('mapshelf')
    .description('Mapshelf: a self-hosted geospatial data catalog and distribution server')
    .version(cliVersion)
    .option('--debug', 'show stack traces on errors')
    .addHelpText('after', overview)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const make of commands) program.addCommand(make());
  for (const command of allCommands(program)) command.exitOverride();
  return program;
}

/** Every command under a root, depth first. */
export function allCommands(root: Command): Command[] {
  return root.commands.flatMap((command) => [command, ...allCommands(command)]);
}

/** Runs the CLI. Failures inside commands are reported by their action; this catches the rest. */
export async function run(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      return;
    }
    const failure = describeFailure(error);
    process.stderr.write(`mapshelf: ${argv.includes('--debug') && error instanceof Error ? error.stack : failure.message}\n`);
    process.exitCode = failure.exitCode;
  }
}
