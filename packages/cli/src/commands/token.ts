import { Command } from 'commander';
import { Store, createTokenOffline, parseScopes } from '@mapshelf/server';
import { resolve } from 'node:path';
import { ExitCode } from '../exit-codes.js';
import { render, UserError } from '../output.js';

interface CreateOptions {
  dataDir: string;
  admin?: boolean;
  user?: string;
  name: string;
  scope?: string;
  expiresAt?: string;
  json?: boolean;
}

function createCommand(): Command {
  return new Command('create')
    .description('Create an API token directly in a data folder (offline; works while the server runs)')
    .option('--data-dir <path>', 'data folder', './mapshelf-data')
    .option('--admin', 'make sure the user is an admin (creating "admin" in a default group if needed)')
    .option('--user <username>', 'the token\'s user (default "admin")')
    .option('--name <name>', 'a name to tell the token apart', 'cli')
    .option('--scope <scopes>', 'space-separated scopes (default: every scope the user may hold)')
    .option('--expires-at <date-time>', 'ISO 8601 expiry, e.g. 2027-01-01T00:00:00Z (default: never)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nThe secret is printed once; only its hash is stored.\n\nExample:\n  mapshelf token create --admin --data-dir ./mapshelf-data\n',
    )
    .action(async (options: CreateOptions) => {
      let scopes;
      if (options.scope !== undefined) {
        const parsed = parseScopes(options.scope);
        if (parsed.unknown.length) throw new UserError(`Unknown scope(s): ${parsed.unknown.join(', ')}`, ExitCode.usage);
        scopes = parsed.scopes;
      }
      let expiresAt: string | null = null;
      if (options.expiresAt !== undefined) {
        const when = Date.parse(options.expiresAt);
        if (Number.isNaN(when) || when <= Date.now()) throw new UserError('--expires-at must be a future ISO 8601 date-time', ExitCode.usage);
        expiresAt = new Date(when).toISOString();
      }
      const store = await Store.open(resolve(options.dataDir));
      try {
        const { key, user, scopes: granted } = await createTokenOffline(store, {
          admin: options.admin ?? false,
          name: options.name,
          ...(options.user !== undefined && { username: options.user }),
          ...(scopes !== undefined && { scopes }),
          expiresAt,
        });
        const result = {
          text: `${key}\n(token for ${user.username}, scopes: ${granted.join(' ')}; shown only this once)`,
          json: { key, user: { id: user.id, username: user.username }, scope: granted.join(' '), expires_at: expiresAt },
        };
        process.stdout.write(`${render(result, options.json ?? false)}\n`);
      } catch (error) {
        throw new UserError((error as Error).message, ExitCode.failure);
      } finally {
        await store.close();
      }
    });
}

export function tokenCommand(): Command {
  return new Command('token').description('Offline token administration on a data folder').addCommand(createCommand());
}
