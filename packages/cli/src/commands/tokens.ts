import type { Token } from '@mapshelf/sdk';
import type { Scope } from '@mapshelf/server';
import type { Command } from 'commander';
import { action, groupCommand, remoteCommand, withExamples } from '../command.js';
import type { Context } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { itemId } from '../item-ref.js';
import { formatDate } from '../format.js';
import { table, UserError, type CommandResult } from '../output.js';
import { withOfflineStore } from '../offline-store.js';

interface CreateOptions {
  name: string;
  scope?: string;
  expiresAt?: string;
  user?: string;
  dataDir?: string;
  database?: string;
  admin?: boolean;
  init?: boolean;
}

function expiry(text: string | undefined): string | null {
  if (text === undefined) return null;
  const when = Date.parse(text);
  if (Number.isNaN(when) || when <= Date.now()) throw new UserError('--expires-at must be a future ISO 8601 date-time, e.g. 2027-01-01T00:00:00Z.', ExitCode.usage);
  return new Date(when).toISOString();
}

const shownOnce = (key: string, who: string, scope: string) => `${key}\n(token for ${who}, scopes: ${scope}; shown only this once)`;

/** Straight into the catalog database (a data folder's, or PostgreSQL's), for the first admin token: no server or token needed. */
async function createOffline(options: CreateOptions, expiresAt: string | null): Promise<CommandResult> {
  const { createTokenOffline, parseScopes } = await import('@mapshelf/server');
  let scopes: Scope[] | undefined;
  if (options.scope !== undefined) {
    const parsed = parseScopes(options.scope);
    if (parsed.unknown.length) throw new UserError(`Unknown scope(s): ${parsed.unknown.join(', ')}`, ExitCode.usage);
    scopes = parsed.scopes;
  }
  const { key, user, scopes: granted } = await withOfflineStore({ ...options, init: options.init ?? false, environment: false }, (store) =>
    createTokenOffline(store, {
      admin: options.admin ?? false,
      name: options.name,
      ...(options.user !== undefined && { username: options.user }),
      ...(scopes !== undefined && { scopes }),
      expiresAt,
    }),
  );
  const scope = granted.join(' ');
  return { text: shownOnce(key, user.username, scope), json: { key, user: { id: user.id, username: user.username }, scope, expires_at: expiresAt }, ids: [key] };
}

async function createRemote(ctx: Context, options: CreateOptions, expiresAt: string | null): Promise<CommandResult> {
  if (options.admin) throw new UserError('--admin works only offline, with --data-dir or --database. On a server, an admin grants roles through the users API.', ExitCode.usage);
  if (!options.scope) throw new UserError('Give the token\'s scopes with --scope, e.g. --scope "layers:read exports:write".', ExitCode.usage);
  const token = await ctx.client.tokens.create({
    name: options.name,
    scope: options.scope,
    expires_at: expiresAt,
    ...(options.user !== undefined && { user: itemId(ctx, options.user, 'users', '--user (a user id or URL, on a server)') }),
  });
  const { key, ...rest } = token;
  return { text: shownOnce(key!, options.user !== undefined ? `user ${options.user}` : 'you', token.scope ?? options.scope), json: { key, ...rest }, ids: [key!] };
}

function createCommand(): Command {
  const command = remoteCommand('create', 'Create an API token: on the server, or offline in a data folder with --data-dir')
    .option('--name <name>', 'a name to tell the token apart', 'cli')
    .option('--scope <scopes>', 'space-separated scopes, e.g. "layers:read exports:write" (offline default: every scope the user may hold)')
    .option('--expires-at <date-time>', 'ISO 8601 expiry, e.g. 2027-01-01T00:00:00Z (default: never)')
    .option('--user <user>', 'whose token: a user id on a server (admins only); a username offline (default "admin")')
    .option('--data-dir <path>', 'create it offline in this data folder, even while the server runs')
    .option('--database <url>', 'create it offline in this PostgreSQL catalog (postgres://…), even while servers run')
    .option('--admin', 'offline: make sure the user is an admin (creating "admin" in a default group if needed)')
    .option('--init', 'offline: create a new catalog in --data-dir if it holds none (before the server first starts)')
    .addHelpText('after', '\nThe secret is printed once; the server keeps only its hash.');
  withExamples(command, 'mapshelf tokens create --name pipeline --scope "layers:read layers:write sources:write"', 'mapshelf tokens create --admin --data-dir ./mapshelf-data');
  return action(command, async (ctx, options: CreateOptions) => {
    const expiresAt = expiry(options.expiresAt);
    return options.dataDir !== undefined || options.database !== undefined ? createOffline(options, expiresAt) : createRemote(ctx, options, expiresAt);
  });
}

function listCommand(): Command {
  const command = remoteCommand('list', 'List your tokens (never their secrets)');
  return action(withExamples(command, 'mapshelf tokens list'), async (ctx) => {
    const tokens: Token[] = await ctx.client.tokens.list().expand().toArray();
    return {
      text: table(tokens, [
        { header: 'id', value: (t) => t.id, align: 'right' },
        { header: 'name', value: (t) => t.name, max: 30 },
        { header: 'key', value: (t) => t.key_hint as string },
        { header: 'scope', value: (t) => t.scope, max: 60 },
        { header: 'expires', value: (t) => formatDate(t.expires_at) || 'never' },
        { header: 'last used', value: (t) => formatDate(t.last_used_at) || 'never' },
      ], 'No tokens.'),
      json: tokens,
      ids: tokens.map((t) => t.id),
    };
  });
}

function revokeCommand(): Command {
  const command = remoteCommand('revoke', 'Revoke a token: it stops working at once').argument('<id>', 'token id or URL (see `mapshelf tokens list`)');
  return action(withExamples(command, 'mapshelf tokens revoke 4'), async (ctx, _options, id: string) => {
    const tokenId = itemId(ctx, id, 'tokens', 'The token');
    await ctx.client.tokens.revoke(tokenId);
    return { text: `Revoked token ${tokenId}.`, json: { id: tokenId, revoked: true }, ids: [tokenId] };
  });
}

export function tokensCommand(): Command {
  // `token` is the name the server's first-start message and older docs use.
  return groupCommand('tokens', 'API tokens: create, list, revoke', createCommand(), listCommand(), revokeCommand()).alias('token');
}
