import { isSiteAdmin, type Actor } from '../actor.js';

/**
 * Layers, tables, sources and sets belong to a group. Until per-item permissions arrive, the
 * group's members see its items, editors and admins change them, and site admins do anything.
 */
export type GroupOwnedVisibility = { all: true } | { all: false; memberId: number };

export function groupOwnedVisibility(actor: Actor): GroupOwnedVisibility {
  if (isSiteAdmin(actor)) return { all: true };
  return { all: false, memberId: actor.kind === 'user' ? actor.user.id : -1 };
}

export type GroupOwnedAction = 'view' | 'edit';

/** `role` is the actor's role in the owning group, or null if not a member. */
export function canGroupOwned(actor: Actor, action: GroupOwnedAction, role: string | null): boolean {
  if (isSiteAdmin(actor)) return true;
  if (actor.kind !== 'user' || role === null) return false;
  return action === 'view' || role === 'admin' || role === 'editor';
}
