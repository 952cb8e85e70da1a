import type { User } from './model/users.js';
import { insertPassword } from './accounts.js';
import { insertApplication } from './applications.js';
import { MapshelfError } from './errors.js';
import type { Application, ApplicationType } from './model/applications.js';
import type { Group } from './model/groups.js';
import { checkPassword, hashPassword } from './passwords.js';
import type { Repositories, Store } from './ports/store.js';
import { allScopes, type Scope } from './scopes.js';
import { bootstrapTokenWeakness } from './token-strength.js';
import { insertToken } from './tokens.js';

export const defaultAdminUsername = 'admin';
export const defaultGroupName = 'Default';

/** Finds an active admin, or creates the `admin` user in the default group. */
async function ensureAdmin(repos: Repositories, at: string, username: string): Promise<User> {
  const existing = await repos.users.findByUsername(username);
  if (existing) {
    if (existing.is_admin && existing.is_active) return existing;
    return repos.users.update(existing.id, { is_admin: true, is_active: true, updated_at: at });
  }
  const user = await repos.users.create({
    username,
    email: null,
    first_name: '',
    last_name: '',
    is_admin: true,
    is_active: true,
    created_at: at,
    updated_at: at,
  });
  const group =
    (await repos.groups.findByName(defaultGroupName)) ??
    (await repos.groups.create({ name: defaultGroupName, description: 'Created on first start.', created_at: at }));
  await repos.groups.putMember({ group_id: group.id, user_id: user.id, role: 'admin', joined_at: at });
  return user;
}

/**
 * First start: when no token exists yet, creates an admin user in a default group holding
 * `secret` with every scope. Returns false (and does nothing) once any token exists. A weak
 * secret is refused (`resolveConfig` refuses it first, with the same message): like every token
 * it is stored as an unsalted SHA-256 hash, which only a random secret makes safe to leak.
 */
export async function bootstrapAdminToken(store: Store, secret: string, now = new Date()): Promise<boolean> {
  const weakness = bootstrapTokenWeakness(secret);
  if (weakness) throw new Error(weakness);
  try {
    return await store.transaction(async (repos) => {
      if ((await repos.tokens.count()) > 0) return false;
      const at = now.toISOString();
      const admin = await ensureAdmin(repos, at, defaultAdminUsername);
      await insertToken(repos, at, { userId: admin.id, name: 'bootstrap', scopes: allScopes, expiresAt: null, secret });
      return true;
    });
  } catch (error) {
    // Processes starting together on one PostgreSQL database: another one's admin and token won
    // (its unique username and key made this one's insert fail).
    if ((await store.tokens.count()) > 0) return false;
    throw error;
  }
}

/** Offline token creation for `mapshelf token create`: works on the data folder, no server needed. */
export async function createTokenOffline(
  store: Store,
  options: { username?: string; admin: boolean; name: string; scopes?: readonly Scope[]; expiresAt?: string | null },
  now = new Date(),
): Promise<{ key: string; user: User; scopes: readonly Scope[] }> {
  return store.transaction(async (repos) => {
    const at = now.toISOString();
    const username = options.username ?? defaultAdminUsername;
    let user: User | undefined;
    if (options.admin) user = await ensureAdmin(repos, at, username);
    else user = await repos.users.findByUsername(username);
    if (!user || !user.is_active) throw new Error(`No active user named "${username}". Use --admin to create an admin.`);
    const scopes = options.scopes ?? (user.is_admin ? allScopes : allScopes.filter((s) => s !== 'admin'));
    if (scopes.includes('admin') && !user.is_admin) throw new Error('The admin scope is only for admin users.');
    const { key } = await insertToken(repos, at, { userId: user.id, name: options.name, scopes, expiresAt: options.expiresAt ?? null });
    return { key, user, scopes };
  });
}

/** Offline application creation for `mapshelf applications create`: the first OAuth2 client, with no token needed. */
export async function createApplicationOffline(
  store: Store,
  options: { name: string; type: ApplicationType; groupId?: number; scopes?: string[] },
  now = new Date(),
): Promise<{ clientId: string; clientSecret: string; application: Application }> {
  return store.transaction(async (repos) => {
    const groups: Group[] = [];
    if (options.groupId !== undefined) {
      const group = await repos.groups.findById(options.groupId);
      if (!group) throw new Error(`No group has id ${options.groupId}. \`mapshelf\`'s Data API lists them: GET /services/api/v1/groups/.`);
      groups.push(group);
    }
    const { application, clientSecret } = await insertApplication(repos, now.toISOString(), { name: options.name, type: options.type, ...(options.scopes && { scopes: options.scopes }) }, groups).catch((error: unknown) => {
      // Input errors name the field as the API does; offline, the flag is what the operator typed.
      throw error instanceof MapshelfError ? new Error(error.placed((field) => `--${field}`).message) : error;
    });
    return { clientId: application.client_id, clientSecret, application };
  });
}

/** Offline password setting for `mapshelf users password`: signs the user's applications out everywhere. */
export async function setPasswordOffline(store: Store, username: string, password: string, now = new Date()): Promise<User> {
  let hash: string;
  try {
    hash = await hashPassword(checkPassword(password));
  } catch (error) {
    throw error instanceof MapshelfError ? new Error(error.placed(() => 'The password').message) : error;
  }
  return store.transaction(async (repos) => {
    const user = await repos.users.findByUsername(username);
    if (!user || !user.is_active) throw new Error(`No active user named "${username}".`);
    await insertPassword(repos, now.toISOString(), user.id, hash);
    return user;
  });
}
