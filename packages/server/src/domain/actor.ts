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

/** An OAuth2 client of the Metadata API acting for itself (client credentials): it reads what is shared with it. */
export interface ApplicationIdentity {
  id: number;
  uid: string;
  name: string;
}

/**
 * Who is asking: a user through one of their tokens (a Data API `key`, or a Metadata API Bearer
 * token given to a user application), a group application, or nobody.
 */
export type Actor =
  | { kind: 'anonymous' }
  | {
      kind: 'application';
      application: ApplicationIdentity;
      scopes: readonly Scope[];
      /** The workgroups the application belongs to. */
      groups: readonly number[];
    }
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
