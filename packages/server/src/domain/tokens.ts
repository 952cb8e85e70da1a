import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Token } from './model/tokens.js';
import type { Repositories, Store } from './ports/store.js';
import { isSiteAdmin, type Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { MapshelfError, forbidden, invalidInput, notFound } from './errors.js';
import type { ListQuery, ListResult } from './list-query.js';
import { canManageToken, tokenOwnerScope } from './policies/tokens.js';
import { allScopes, formatScopes, parseScopes, type Scope } from './scopes.js';

const secretPrefix = 'msk_';

/** A new random secret: 256 bits, base64url, with a prefix that secret scanners can match. */
export function generateSecret(): string {
  return secretPrefix + randomBytes(32).toString('base64url');
}

/** Secrets are high-entropy, so a fast hash is enough: nobody can guess a preimage. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function hintOf(secret: string): string {
  return `${secret.slice(0, secret.startsWith(secretPrefix) ? 10 : 4)}...`;
}

/** An actor found for a token, kept while the store's state stays the same (see `authenticate`). */
interface KeptActor {
  version: string;
  actor: Actor;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

/** Per store (tests open many in one process), by token hash, first kept first out. */
const keptActors = new WeakMap<Store, Map<string, KeptActor>>();
const actorsKept = 1000;

/** How often a token's `last_used_at` is written: recording every use would turn each read into a write. */
const lastUsedPrecisionMs = 60_000;

/**
 * Resolves a token secret to the actor behind it, or throws 401. The lookup is by hash, and the
 * stored hash is compared in constant time. While the store's `authVersion` stands (no token,
 * user or membership written since, by any process), the actor found last time is used again:
 * three queries on every request otherwise. Expiry is checked on every use.
 */
export async function authenticate(ctx: DomainContext, secret: string): Promise<Actor> {
  const hash = hashSecret(secret);
  // Read before the token is: a write after this point makes what the reads find stale.
  const version = await ctx.store.authVersion();
  const now = ctx.now().getTime();
  const kept = version === undefined ? undefined : keptActors.get(ctx.store)?.get(hash);
  if (kept !== undefined && kept.version === version && (kept.expiresAt === null || now < kept.expiresAt) && kept.lastUsedAt !== null && now - kept.lastUsedAt <= lastUsedPrecisionMs) {
    return kept.actor;
  }
  const row = await ctx.store.tokens.findByHash(hash);
  if (!row || !timingSafeEqual(Buffer.from(row.key_hash, 'hex'), Buffer.from(hash, 'hex'))) {
    throw new MapshelfError('invalid_token', 'The API token is not valid. Check it, or create a new one.');
  }
  if (row.expires_at !== null && Date.parse(row.expires_at) <= now) {
    throw new MapshelfError('token_expired', `The API token expired at ${row.expires_at}. Create a new one.`);
  }
  // The groups go with the actor: each access check of the request needs them.
  const [user, memberships] = await Promise.all([ctx.store.users.findById(row.user_id), ctx.store.users.roles(row.user_id)]);
  if (!user || !user.is_active) {
    throw new MapshelfError('invalid_token', 'The API token belongs to a deactivated user.');
  }
  if (row.last_used_at === null || now - Date.parse(row.last_used_at) > lastUsedPrecisionMs) {
    await ctx.store.tokens.touch(row.id, new Date(now).toISOString());
  }
  // Frozen: a kept actor is shared by the requests that follow.
  const actor: Actor = Object.freeze({
    kind: 'user',
    user: Object.freeze({ id: user.id, username: user.username, isAdmin: user.is_admin }),
    tokenId: row.id,
    scopes: Object.freeze(parseScopes(row.scope).scopes),
    memberships: Object.freeze(memberships.map((m) => Object.freeze({ group_id: m.group_id, role: m.role }))),
  });
  if (version !== undefined) {
    let actors = keptActors.get(ctx.store);
    if (!actors) keptActors.set(ctx.store, (actors = new Map()));
    actors.delete(hash);
    if (actors.size >= actorsKept) actors.delete(actors.keys().next().value!);
    // The touch above is a write, so the next request reads again, and keeps what it finds then.
    actors.set(hash, { version, actor, expiresAt: row.expires_at === null ? null : Date.parse(row.expires_at), lastUsedAt: Date.parse(row.last_used_at ?? '') || null });
  }
  return actor;
}

export interface CreateTokenInput {
  name: string;
  scope: string;
  expires_at?: string | null;
  /** Another user's id: site admins only. */
  user?: number;
}

export interface CreatedToken {
  row: Token;
  /** The secret, shown once. */
  key: string;
}

function checkScopes(requested: string, allowed: readonly Scope[], targetIsAdmin: boolean): Scope[] {
  const { scopes, unknown } = parseScopes(requested);
  if (unknown.length > 0) {
    throw invalidInput('scope', `unknown scope(s) ${unknown.join(', ')}; known scopes are: ${allScopes.join(' ')}`);
  }
  if (scopes.length === 0) throw invalidInput('scope', 'give at least one scope, space-separated');
  if (scopes.includes('admin') && !targetIsAdmin) {
    throw invalidInput('scope', 'the admin scope is only for admin users');
  }
  const beyond = scopes.filter((s) => !allowed.includes(s));
  if (beyond.length > 0) {
    throw forbidden(`A token cannot grant scopes it does not hold itself: ${beyond.join(', ')}.`);
  }
  return scopes;
}

/** Creates a token in the given repositories; shared by the API and the offline CLI. */
export async function insertToken(
  repos: Repositories,
  at: string,
  input: { userId: number; name: string; scopes: readonly Scope[]; expiresAt: string | null; secret?: string },
): Promise<CreatedToken> {
  const key = input.secret ?? generateSecret();
  const row = await repos.tokens.create({
    user_id: input.userId,
    name: input.name,
    key_hash: hashSecret(key),
    key_hint: hintOf(key),
    scope: formatScopes(input.scopes),
    created_at: at,
    expires_at: input.expiresAt,
  });
  return { row, key };
}

/** A new token expires in the future, and never after the token that creates it. */
async function checkExpiry(ctx: DomainContext, creatorTokenId: number | null, requested: string | null): Promise<string | null> {
  const creator = creatorTokenId === null ? undefined : await ctx.store.tokens.findById(creatorTokenId);
  const limit = creator?.expires_at ?? null;
  if (requested === null) return limit;
  const when = Date.parse(requested);
  if (Number.isNaN(when)) throw invalidInput('expires_at', 'must be an ISO 8601 date-time');
  if (when <= ctx.now().getTime()) throw invalidInput('expires_at', 'must be in the future');
  if (limit !== null && when > Date.parse(limit)) {
    throw invalidInput('expires_at', `must not be later than the expiry of the token making the request (${limit})`);
  }
  return new Date(when).toISOString();
}

export async function createToken(ctx: DomainContext, actor: Actor, input: CreateTokenInput): Promise<CreatedToken> {
  if (actor.kind !== 'user') throw new MapshelfError('authentication_required', 'Sign in with a token first.');
  const userId = input.user ?? actor.user.id;
  if (userId !== actor.user.id && !isSiteAdmin(actor)) {
    throw forbidden('Only site admins (admin user and admin scope) can create tokens for other users.');
  }
  const target = await ctx.store.users.findById(userId);
  if (!target || !target.is_active) throw invalidInput('user', `no active user has id ${userId}`);
  const scopes = checkScopes(input.scope, actor.scopes, target.is_admin);
  const expiresAt = await checkExpiry(ctx, actor.tokenId, input.expires_at ?? null);
  return insertToken(ctx.store, timestamp(ctx), { userId, name: input.name, scopes, expiresAt });
}

export async function listTokens(ctx: DomainContext, actor: Actor, query: ListQuery): Promise<ListResult<Token>> {
  return ctx.store.tokens.list(query, tokenOwnerScope(actor));
}

export async function getToken(ctx: DomainContext, actor: Actor, id: number): Promise<Token> {
  const row = await ctx.store.tokens.findById(id);
  // Someone else's token is reported as missing, so ids can't be probed.
  if (!row || !canManageToken(actor, row.user_id)) throw notFound(`Token ${id}`);
  return row;
}

export async function revokeToken(ctx: DomainContext, actor: Actor, id: number): Promise<void> {
  const row = await getToken(ctx, actor, id);
  await ctx.store.tokens.delete(row.id);
}
