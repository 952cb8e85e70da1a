import { isSiteAdmin, type Actor } from '../actor.js';

/**
 * Access to catalog items (layers and tables, sources, and later sets and documents). Levels
 * rise view < download < edit < admin. An item's owning group gives its members a level by
 * role (admin → admin, editor → edit, viewer → view); permissions grant more, to a user, a
 * group, or `group.everyone` (anyone, anonymous callers included). Site admins hold admin.
 * Unpublished versions (drafts, imports in progress) are for those who may edit the item:
 * `view` shows what has been published.
 */
export const permissionLevels = ['view', 'download', 'edit', 'admin'] as const;
export type PermissionLevel = (typeof permissionLevels)[number];
export type ItemKind = 'layer' | 'source' | 'set' | 'document';

export const everyone = 'group.everyone';

/**
 * Which items a list may return, as the store applies it in SQL: those owned by one of the
 * `memberOf` groups, or on which a permission of `levels` names one of the `principals`.
 */
export type ItemVisibility = { all: true } | { all: false; memberOf: number[]; principals: string[]; levels: readonly PermissionLevel[] };

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

/** The items an actor holds at least `needed` on, given their group memberships. */
export function itemVisibility(actor: Actor, memberships: ReadonlyArray<{ group_id: number; role: string }>, needed: PermissionLevel = 'view'): ItemVisibility {
  if (isSiteAdmin(actor)) return { all: true };
  return {
    all: false,
    memberOf: memberships.filter((m) => atLeast(levelOfRole(m.role), needed)).map((m) => m.group_id),
    principals: principalsOf(actor, memberships.map((m) => m.group_id)),
    levels: permissionLevels.filter((level) => atLeast(level, needed)),
  };
}
