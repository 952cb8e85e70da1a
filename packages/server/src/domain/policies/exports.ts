import { isSiteAdmin, type Actor } from '../actor.js';

/** Users see their own exports; site admins see all. Returns null for "all owners". */
export function exportOwnerScope(actor: Actor): number | null {
  if (isSiteAdmin(actor)) return null;
  return actor.kind === 'user' ? actor.user.id : -1;
}
