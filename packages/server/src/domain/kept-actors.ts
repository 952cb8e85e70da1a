/**
 * The actor found behind a token, used again while the store's `authVersion` stands (no token,
 * application, user or membership written since, by any process): otherwise each request would
 * read the token, its user and their groups again. Shared by the `key` tokens of the Data API
 * and the Bearer tokens of the Metadata API.
 */
import type { Actor } from './actor.js';
import type { Scope } from './scopes.js';
import type { DomainContext } from './context.js';
import { MapshelfError } from './errors.js';
import type { Store } from './ports/store.js';

/** What a token's lookup found: the actor, until when it holds, and until when it may be used again unread. */
export interface FoundActor {
  actor: Actor;
  /** The token's expiry (ms since the epoch), or null. Checked on every use. */
  expiresAt: number | null;
  /** Past this time (ms), the token is read again even if nothing changed (a `last_used_at` to record). */
  freshUntil: number;
}

interface Kept extends FoundActor {
  version: string;
}

/** Per store (tests open many in one process), by token hash, first kept first out. */
const keptActors = new WeakMap<Store, Map<string, Kept>>();
const actorsKept = 1000;

/** `find` reads the token and throws when it is unknown or expired; `expired` is the error for a kept one that expired since. */
export async function keptActor(ctx: DomainContext, hash: string, expired: (expiresAt: string) => MapshelfError, find: (now: number) => Promise<FoundActor>): Promise<Actor> {
  // Read before the token is: a write after this point makes what the reads find stale.
  const version = await ctx.store.authVersion();
  const now = ctx.now().getTime();
  const kept = version === undefined ? undefined : keptActors.get(ctx.store)?.get(hash);
  if (kept !== undefined && kept.version === version && now <= kept.freshUntil) {
    if (kept.expiresAt !== null && now >= kept.expiresAt) throw expired(new Date(kept.expiresAt).toISOString());
    return kept.actor;
  }
  const found = await find(now);
  if (version !== undefined) {
    let actors = keptActors.get(ctx.store);
    if (!actors) keptActors.set(ctx.store, (actors = new Map()));
    actors.delete(hash);
    if (actors.size >= actorsKept) actors.delete(actors.keys().next().value!);
    actors.set(hash, { ...found, version });
  }
  return found.actor;
}

/** A user's actor, with the groups each access check of the request reads; frozen, since kept actors are shared. */
export async function userActor(ctx: DomainContext, userId: number, tokenId: number | null, scopes: readonly Scope[], noun: string): Promise<Actor> {
  const [user, memberships] = await Promise.all([ctx.store.users.findById(userId), ctx.store.users.roles(userId)]);
  if (!user || !user.is_active) throw new MapshelfError('invalid_token', `The ${noun} belongs to a deactivated user.`);
  return Object.freeze({
    kind: 'user',
    user: Object.freeze({ id: user.id, username: user.username, isAdmin: user.is_admin }),
    tokenId,
    scopes: Object.freeze([...scopes]),
    memberships: Object.freeze(memberships.map((m) => Object.freeze({ group_id: m.group_id, role: m.role }))),
  });
}
