import { isSiteAdmin, type Actor } from '../actor.js';

/** A user manages their own tokens; site admins manage everyone's. Returns null for "all owners". */
export function tokenOwnerScope(actor: Actor): number | null {
  if (isSiteAdmin(actor)) return null;
  return actor.kind === 'user' ? actor.user.id : -1;
}

export function canManageToken(actor: Actor, ownerId: number): boolean {
  if (isSiteAdmin(actor)) return true;
  return actor.kind === 'user' && actor.user.id === ownerId;
}
