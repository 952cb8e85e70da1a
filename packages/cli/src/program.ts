import { Command, CommanderError } from 'commander';
import { ConfigError, serverVersion } from '@mapshelf/server';
import { serveCommand } from './commands/serve.js';
import { tokenCommand } from './commands/token.js';
import { ExitCode } from './exit-codes.js';
import { UserError } from './output.js';

/** The one command table. */
const commands = [serveCommand, tokenCommand];

export function buildProgram(): Command {
  const program = new Command('mapshelf')
    .description('Mapshelf: a self-hosted geospatial data catalog and distribution server')
    .version(serverVersion)
    .option('--debug', 'show stack traces on errors')
    .exitOverride();
  for (const make of commands) program.addCommand(make().exitOverride());
  return program;
}

/** Runs the CLI; maps every failure to one line on stderr and a named exit code. */
export async function run(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      return;
    }
    const debug = argv.includes('--debug');
    const code = error instanceof UserError ? error.exitCode : error instanceof ConfigError ? ExitCode.config : ExitCode.failure;
    process.stderr.write(`mapshelf: ${debug && error instanceof Error ? error.stack : (error as Error).message}\n`);
    process.exitCode = code;
  }
}
