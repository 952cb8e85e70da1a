import { Command } from 'commander';
import { Context, type GlobalOptions } from './context.js';
import { ExitCode } from './exit-codes.js';
import type { CommandResult } from './output.js';
import { UserError } from './output.js';

/** A command that talks to a server: it takes the connection flags and the output flags. */
export function remoteCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .option('--json', 'print the result as JSON, for scripts')
    .option('-q, --quiet', 'print only ids, a line each (a file for downloads); no progress')
    .option('--profile <name>', 'saved connection to use (default "default", or MAPSHELF_PROFILE)')
    .option('--url <url>', "server URL (default MAPSHELF_URL, or the profile's)")
    .option('--token <token>', "API token (default MAPSHELF_TOKEN, or the profile's)")
    .option('--debug', 'show stack traces on errors');
}

/** Each command's examples, so a group's help can show its subcommands' first ones. */
const examplesOf = new WeakMap<Command, string[]>();

/** Adds examples to a command's `--help`. */
export function withExamples(command: Command, ...lines: string[]): Command {
  examplesOf.set(command, lines);
  return command.addHelpText('after', `\nExamples:\n${lines.map((line) => `  ${line}`).join('\n')}\n`);
}

/** A command group (`layers`, `exports`, …): its subcommands do the work; its help shows an example of each. */
export function groupCommand(name: string, description: string, ...subcommands: Command[]): Command {
  const group = new Command(name).description(description);
  for (const sub of subcommands) group.addCommand(sub);
  return withExamples(group, ...subcommands.flatMap((sub) => examplesOf.get(sub)?.slice(0, 1) ?? []));
}

/**
 * Sets a command's action: builds the run's Context, calls `run` with the options and positional
 * arguments, prints its result, and turns any failure into one line and an exit code.
 */
export function action<O extends object, A extends unknown[]>(command: Command, run: (ctx: Context, options: O & GlobalOptions, ...args: A) => Promise<CommandResult | void>): Command {
  return command.action(async (...params: unknown[]) => {
    const self = params.at(-1) as Command;
    const options = self.optsWithGlobals<O & GlobalOptions>();
    const ctx = new Context(options);
    try {
      const result = await run(ctx, options, ...(params.slice(0, -2) as A));
      if (result) ctx.emit(result);
    } catch (error) {
      process.exitCode = ctx.fail(error);
    }
  });
}

/** A positive integer id from the command line. */
export function parseId(text: string, what: string): number {
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id < 1) throw new UserError(`${what} must be a positive whole number, not "${text}".`, ExitCode.usage);
  return id;
}

/** A CRS option (`--crs`): `EPSG:2193`, `epsg:2193` or `2193` as `EPSG:2193`; ESRI codes as `ESRI:102100`. */
export function parseCrs(text: string | undefined, flag = '--crs', authorities: readonly string[] = ['EPSG', 'ESRI']): string | undefined {
  if (text === undefined) return undefined;
  const crs = /^\d+$/.test(text.trim()) ? `EPSG:${text.trim()}` : text.trim().toUpperCase();
  const [authority, code] = crs.split(':');
  if (!authorities.includes(authority!) || !/^\d+$/.test(code ?? '')) {
    throw new UserError(`${flag} must be ${authorities.length > 1 ? `a code such as EPSG:2193 or ESRI:102100` : 'an EPSG code such as EPSG:2193'}, not "${text}".`, ExitCode.usage);
  }
  return crs;
}

/** A positive integer option, e.g. `--limit`. */
export function parseCount(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new UserError(`${flag} must be a positive whole number, not "${text}".`, ExitCode.usage);
  return value;
}

/** Collects a repeatable option's values: `--filter a=1 --filter b=2`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
