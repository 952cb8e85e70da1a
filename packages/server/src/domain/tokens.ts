import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Token } from './model/tokens.js';
import type { Repositories } from './ports/store.js';
import { keptActor, userActor } from './kept-actors.js';
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

/** How often a token's `last_used_at` is written: recording every use would turn each read into a write. */
const lastUsedPrecisionMs = 60_000;

const expired = (at: string) => new MapshelfError('token_expired', `The API token expired at ${at}. Create a new one.`);

/**
 * Resolves a token secret to the actor behind it, or throws 401. The lookup is by hash, and the
 * stored hash is compared in constant time. The actor found is used again while nothing it
 * depends on changes (`keptActor`); expiry is checked on every use.
 */
export async function authenticate(ctx: DomainContext, secret: string): Promise<Actor> {
  const hash = hashSecret(secret);
  return keptActor(ctx, hash, expired, async (now) => {
    const row = await ctx.store.tokens.findByHash(hash);
    if (!row || !timingSafeEqual(Buffer.from(row.key_hash, 'hex'), Buffer.from(hash, 'hex'))) {
      throw new MapshelfError('invalid_token', 'The API token is not valid. Check it, or create a new one.');
    }
    if (row.expires_at !== null && Date.parse(row.expires_at) <= now) throw expired(row.expires_at);
    const actor = await userActor(ctx, row.user_id, row.id, parseScopes(row.scope).scopes, 'API token');
    const lastUsed = row.last_used_at === null ? null : Date.parse(row.last_used_at);
    if (lastUsed === null || now - lastUsed > lastUsedPrecisionMs) await ctx.store.tokens.touch(row.id, new Date(now).toISOString());
    // A touch is a write, so the next request reads again, and keeps what it finds then.
    return { actor, expiresAt: row.expires_at === null ? null : Date.parse(row.expires_at), freshUntil: lastUsed === null ? -Infinity : lastUsed + lastUsedPrecisionMs };
  });
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
