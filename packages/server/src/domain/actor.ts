import type { Scope } from './scopes.js';

/** The authenticated user behind a request, as the domain sees them. */
export interface UserIdentity {
  id: number;
  username: string;
  isAdmin: boolean;
}

/** A group the user is in, and their role there. */
export interface ActorMembership {
  group_id: number;
  role: string;
}

/** Who is asking: a user through one of their tokens, or nobody. */
export type Actor =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      user: UserIdentity;
      tokenId: number | null;
      scopes: readonly Scope[];
      /** The user's groups as the request began: every access check of the request reads them here, not again. */
      memberships: readonly ActorMembership[];
    };

export const anonymous: Actor = { kind: 'anonymous' };

/** Site administration needs both an admin user and a token holding the `admin` scope. */
export function isSiteAdmin(actor: Actor): boolean {
  return actor.kind === 'user' && actor.user.isAdmin && actor.scopes.includes('admin');
}

export function hasScope(actor: Actor, scope: Scope): boolean {
  return actor.kind === 'user' && actor.scopes.includes(scope);
}

/** The actor's role in a group, or null when they are not in it. */
export function roleIn(actor: Actor, groupId: number): string | null {
  return actor.kind === 'user' ? (actor.memberships.find((m) => m.group_id === groupId)?.role ?? null) : null;
}
