import type { Query } from '@mapshelf/sdk';
import type { Command } from 'commander';
import { collect, parseCount } from './command.js';
import { ExitCode } from './exit-codes.js';
import { UserError } from './output.js';

/** The flags every list command takes. */
export interface ListOptions {
  filter?: string[];
  sort?: string;
  limit: string;
}

/** Adds `--filter k=v` (repeatable), `--sort` and `--limit` to a list command. */
export function withListOptions(command: Command, defaultLimit = 20): Command {
  return command
    .option('--filter <field=value>', 'only items whose field matches, e.g. type=layer or created_at.gte=2026-01-01 (repeatable)', collect)
    .option('--sort <fields>', 'comma-separated fields, "-" first for descending, e.g. -created_at')
    .option('--limit <n>', 'at most this many', String(defaultLimit));
}

/** Applies the list flags to a query; the SDK checks filter names against what the server offers. */
export function applyListOptions<T>(query: Query<T>, options: ListOptions): Query<T> {
  let result = query.limit(parseCount(options.limit, '--limit')!);
  for (const pair of options.filter ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UserError(`--filter takes field=value, e.g. --filter type=layer; not "${pair}".`, ExitCode.usage);
    result = result.filter({ [pair.slice(0, at).replace(/\./g, '__')]: pair.slice(at + 1) });
  }
  if (options.sort) result = result.orderBy(...options.sort.split(',').map((field) => field.trim()).filter(Boolean));
  return result;
}
