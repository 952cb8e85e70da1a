import { isSiteAdmin, type Actor } from '../actor.js';

/**
 * Access to catalog items (layers and tables, sources, and later sets and documents). Levels
 * rise view < download < edit < admin. An item's owning group gives its members a level by
 * role (admin → admin, editor → edit, viewer → view); permissions grant more, to a user, a
 * group, or `group.everyone` (anyone, anonymous callers included). Site admins hold admin.
 */
export const permissionLevels = ['view', 'download', 'edit', 'admin'] as const;
export type PermissionLevel = (typeof permissionLevels)[number];
export type ItemKind = 'layer' | 'source' | 'set' | 'document';

export const everyone = 'group.everyone';

/** Which items a list may return, as the store applies it in SQL. */
export type ItemVisibility = { all: true } | { all: false; memberOf: number[]; principals: string[] };

export function atLeast(level: PermissionLevel | null, needed: PermissionLevel): boolean {
  return level !== null && permissionLevels.indexOf(level) >= permissionLevels.indexOf(needed);
}

export function highest(levels: Array<PermissionLevel | null>): PermissionLevel | null {
  return levels.reduce<PermissionLevel | null>((best, level) => (level !== null && !atLeast(best, level) ? level : best), null);
}

export function levelOfRole(role: string | null): PermissionLevel | null {
  return role === 'admin' ? 'admin' : role === 'editor' ? 'edit' : role === 'viewer' ? 'view' : null;
}

/** The principals an actor acts as: everyone, themselves, and each of their groups. */
export function principalsOf(actor: Actor, groupIds: readonly number[]): string[] {
  if (actor.kind !== 'user') return [everyone];
  return [everyone, `user.${actor.user.id}`, ...groupIds.map((id) => `group.${id}`)];
}

export function itemVisibility(actor: Actor, groupIds: readonly number[]): ItemVisibility {
  if (isSiteAdmin(actor)) return { all: true };
  return { all: false, memberOf: [...groupIds], principals: principalsOf(actor, groupIds) };
}
