/**
 * A user's Metadata API account: who they are (the Data API's user), their language and time
 * zone, and the password of the OAuth2 password grant, which they change with the current one
 * and a site admin sets for them.
 */
import { isSiteAdmin, type Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { forbidden, invalidInput, MapshelfError, notFound } from './errors.js';
import type { User, UserAccount, UserAccountPatch, UserMembership } from './model/users.js';
import { checkPassword, hashPassword, verifyPassword } from './passwords.js';
import type { Repositories } from './ports/store.js';

export const languages = ['fr', 'en', 'es', 'pt'] as const;

export interface AccountView {
  user: User;
  account: Omit<UserAccount, 'password_hash'> & { hasPassword: boolean };
  memberships: UserMembership[];
}

export interface AccountInput {
  /** The new password. */
  password?: string;
  /** The password it replaces, when there is one. */
  currentPassword?: string;
  language?: string;
  timezone?: string;
  /** The user's name and email, as their contact shows them. */
  name?: string;
  email?: string | null;
}

function view(user: User, account: UserAccount | undefined, memberships: UserMembership[]): AccountView {
  const { password_hash: hash, ...rest } = account ?? { user_id: user.id, password_hash: null, language: 'en', timezone: 'UTC', updated_at: user.updated_at };
  return { user, account: { ...rest, hasPassword: hash !== null }, memberships };
}

function signedIn(actor: Actor): number {
  if (actor.kind !== 'user') throw new MapshelfError('forbidden', 'Only a user has an account: sign in through a user application (the password grant).');
  return actor.user.id;
}

async function accountOf(repos: Repositories, userId: number): Promise<AccountView> {
  const user = await repos.users.findById(userId);
  if (!user) throw notFound(`User ${userId}`);
  const [account, memberships] = await Promise.all([repos.applications.account(userId), repos.users.memberships(userId)]);
  return view(user, account, memberships);
}

export async function getAccount(ctx: DomainContext, actor: Actor): Promise<AccountView> {
  return accountOf(ctx.store, signedIn(actor));
}

function checkLanguage(language: string): string {
  if (!(languages as readonly string[]).includes(language)) throw invalidInput('language', `must be one of ${languages.join(', ')}`);
  return language;
}

function checkTimezone(timezone: string): string {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    throw invalidInput('timezone', 'must be an IANA time zone name, such as Europe/Paris or UTC');
  }
}

function checkEmail(email: string | null): string | null {
  if (email === null || email === '') return null;
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email)) throw invalidInput('email', 'must be an email address');
  return email;
}

/** Changes a user's account; a new password needs the current one when `current` is required and they have one. */
async function applyAccount(ctx: DomainContext, userId: number, input: AccountInput, current: 'required' | 'not needed'): Promise<AccountView> {
  const at = timestamp(ctx);
  const patch: UserAccountPatch = { updated_at: at };
  if (input.language !== undefined) patch.language = checkLanguage(input.language);
  if (input.timezone !== undefined) patch.timezone = checkTimezone(input.timezone);
  if (input.password !== undefined) {
    const password = checkPassword(input.password);
    const stored = (await ctx.store.applications.account(userId))?.password_hash ?? null;
    if (stored !== null && current === 'required') {
      if (input.currentPassword === undefined) throw invalidInput('currentPassword', 'give the current password to set a new one');
      if (!(await verifyPassword(input.currentPassword, stored))) throw invalidInput('currentPassword', 'is not the current password');
    }
    // Hashed before the transaction: it takes tens of milliseconds, and SQLite has one writer.
    patch.password_hash = await hashPassword(password);
  }
  const userPatch: Partial<Pick<User, 'first_name' | 'last_name' | 'email'>> = {};
  if (input.name !== undefined) {
    const [first = '', ...rest] = input.name.trim().split(/\s+/);
    Object.assign(userPatch, { first_name: first, last_name: rest.join(' ') });
  }
  if (input.email !== undefined) userPatch.email = checkEmail(input.email);
  return ctx.store.transaction(async (repos) => {
    if (Object.keys(userPatch).length > 0) await repos.users.update(userId, { ...userPatch, updated_at: at });
    await repos.applications.putAccount(userId, patch);
    // A password an admin sets (a lost or leaked one) signs the user out everywhere; one the user
    // changes keeps the session they changed it from.
    if (patch.password_hash !== undefined && current === 'not needed') await repos.applications.deleteTokensForUser(userId);
    return accountOf(repos, userId);
  });
}

/** Changes the signed-in user's account. */
export async function updateAccount(ctx: DomainContext, actor: Actor, input: AccountInput): Promise<AccountView> {
  return applyAccount(ctx, signedIn(actor), input, 'required');
}

/** Sets a user's password, and signs their applications out everywhere; shared by the API and the offline command. */
export async function insertPassword(repos: Repositories, at: string, userId: number, hash: string): Promise<void> {
  await repos.applications.putAccount(userId, { password_hash: hash, updated_at: at });
  await repos.applications.deleteTokensForUser(userId);
}

/** A user by `_id`: site admins see everyone, others themselves only. */
async function userSeenBy(ctx: DomainContext, actor: Actor, uid: string): Promise<User> {
  const user = await ctx.store.users.findByUid(uid);
  const self = actor.kind === 'user' && user?.id === actor.user.id;
  // Someone the caller may not see is reported as missing, so ids can't be probed.
  if (!user || !(self || isSiteAdmin(actor))) throw notFound(`User ${uid}`);
  return user;
}

export async function getUserAccount(ctx: DomainContext, actor: Actor, uid: string): Promise<AccountView> {
  return accountOf(ctx.store, (await userSeenBy(ctx, actor, uid)).id);
}

/** Site admins change anyone's account, a password included without the current one; others their own, as `account/` does. */
export async function updateUserAccount(ctx: DomainContext, actor: Actor, uid: string, input: AccountInput): Promise<AccountView> {
  const user = await userSeenBy(ctx, actor, uid);
  return applyAccount(ctx, user.id, input, isSiteAdmin(actor) ? 'not needed' : 'required');
}

/** Users by username, a page at a time, for site admins (Isogeo's staff). */
export async function listUserAccounts(ctx: DomainContext, actor: Actor, page: { offset: number; limit: number }): Promise<AccountView[]> {
  if (!isSiteAdmin(actor)) throw forbidden('Only site admins can list every user.');
  const users = await ctx.store.users.list({ ...page, filters: [], sort: [{ field: 'username', descending: false }] }, { all: true });
  return Promise.all(users.items.map((user) => accountOf(ctx.store, user.id)));
}
