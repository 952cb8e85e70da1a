import { isSiteAdmin, type Actor } from '../actor.js';
import type { UserVisibility } from '../model/users.js';

/** Site admins see every user; others see themselves and the members of their groups. */
export function userVisibility(actor: Actor): UserVisibility {
  if (isSiteAdmin(actor)) return { all: true };
  if (actor.kind !== 'user') return { all: false, viewerId: -1 };
  return { all: false, viewerId: actor.user.id };
}

export type UserAction = 'view' | 'update' | 'administer';

/**
 * `sharesGroup` says whether the actor and the target share a group (the same rule the list
 * applies in SQL). `update` covers a user's own profile; `administer` covers admin flags,
 * activation and usernames.
 */
export function canUser(actor: Actor, action: UserAction, targetId: number, sharesGroup: boolean): boolean {
  if (isSiteAdmin(actor)) return true;
  if (actor.kind !== 'user') return false;
  const self = actor.user.id === targetId;
  switch (action) {
    case 'view':
      return self || sharesGroup;
    case 'update':
      return self;
    case 'administer':
      return false;
  }
}
