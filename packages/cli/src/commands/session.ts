import { InvalidTokenScope, type User } from '@mapshelf/sdk';
import type { Command } from 'commander';
import { action, remoteCommand, withExamples } from '../command.js';
import type { Context } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { shellCommand } from '../invocation.js';
import { details, UserError } from '../output.js';
import { profilesPath, removeProfile, saveProfile } from '../profiles.js';

const scopesOf = (headers: Headers) => (headers.get('oauth-scopes') ?? '').split(/\s+/).filter(Boolean);

/**
 * Who the token belongs to and what it may do (the server names the scopes in `OAuth-Scopes`).
 * A token without `users:read`, e.g. a pipeline's, is still valid: its user is then unknown.
 */
async function whoIs(ctx: Context): Promise<{ user: User | null; scopes: string[] }> {
  try {
    const response = await ctx.client.request('GET', 'users/me/');
    return { user: (await response.json()) as User, scopes: scopesOf(response.headers) };
  } catch (error) {
    if (error instanceof InvalidTokenScope) return { user: null, scopes: scopesOf(error.headers) };
    throw error;
  }
}

function userJson(user: User | null) {
  return user && { id: user.id, url: user.url, username: user.username, is_admin: user.is_admin };
}

const unknownUser = "(unknown: the token lacks users:read)";

function loginCommand(): Command {
  const command = remoteCommand('login', 'Check a token against a server and save both as a named profile (file mode 0600)');
  return action(withExamples(command, 'mapshelf login --url http://localhost:8080 --token "$TOKEN"', 'mapshelf login --profile prod --url https://data.example.org --token "$PROD_TOKEN"'), async (ctx, options) => {
    if (!options.url) throw new UserError('Give the server with --url, e.g. mapshelf login --url http://localhost:8080 --token TOKEN.', ExitCode.usage);
    if (!(options.token ?? ctx.setting('MAPSHELF_TOKEN'))) throw new UserError(`Give the token with --token (or MAPSHELF_TOKEN); an administrator can create one with \`${shellCommand('tokens create')}\`.`, ExitCode.usage);
    const { url, token } = ctx.connection;
    const { user, scopes } = await whoIs(ctx);
    const profile = ctx.profileName;
    saveProfile(profile, { url, token: token! });
    return {
      text: `Logged in to ${url} as ${user?.username ?? unknownUser}. Saved as profile "${profile}" in ${profilesPath()}.`,
      json: { profile, url, user: userJson(user), scopes },
      ids: [profile],
    };
  });
}

function logoutCommand(): Command {
  const command = remoteCommand('logout', 'Forget a saved profile and its token (the token itself stays valid until revoked)');
  return action(withExamples(command, 'mapshelf logout', 'mapshelf logout --profile prod'), async (ctx) => {
    const profile = ctx.profileName;
    if (!removeProfile(profile)) throw new UserError(`There is no profile named "${profile}".`, ExitCode.notFound);
    return { text: `Forgot profile "${profile}".`, json: { profile }, ids: [profile] };
  });
}

function whoamiCommand(): Command {
  const command = remoteCommand('whoami', "Show the server, the token's user and the scopes it grants");
  return action(withExamples(command, 'mapshelf whoami', 'mapshelf whoami --profile prod --json'), async (ctx) => {
    const { user, scopes } = await whoIs(ctx);
    const { url, profile } = ctx.connection;
    const name = [user?.first_name, user?.last_name].filter(Boolean).join(' ');
    return {
      text: details([
        ['Server', url],
        ['Profile', profile],
        ['User', user ? `${user.username}${name ? ` (${name})` : ''}${user.is_admin ? ', site admin' : ''}` : unknownUser],
        ['Email', user?.email],
        ['Scopes', scopes.join(' ')],
      ]),
      json: { url, profile: profile ?? null, user: userJson(user), scopes },
      ids: user ? [user.username] : [],
    };
  });
}

export const sessionCommands = [loginCommand, logoutCommand, whoamiCommand];
