import { isSiteAdmin, roleIn, type Actor, type ActorMembership } from './actor.js';
import type { DomainContext } from './context.js';
import { forbidden, invalidInput, notFound } from './errors.js';
import { atLeast, highest, itemVisibility, levelOfRole, principalsOf, type ItemKind, type ItemVisibility, type PermissionLevel } from './policies/items.js';

/** An item as access checks see it. */
export interface ItemRef {
  kind: ItemKind;
  id: number;
  group_id: number;
}

const membershipsOf = (actor: Actor): readonly ActorMembership[] => (actor.kind === 'user' ? actor.memberships : []);

/** The actor's level on an item: from their role in its group and any permissions, the higher. */
export async function effectiveLevel(ctx: DomainContext, actor: Actor, item: ItemRef): Promise<PermissionLevel | null> {
  if (isSiteAdmin(actor)) return 'admin';
  const memberships = membershipsOf(actor);
  const granted = await ctx.store.permissions.levelsFor(item.kind, item.id, principalsOf(actor, memberships.map((m) => m.group_id)));
  return highest([levelOfRole(roleIn(actor, item.group_id)), ...granted]);
}

/**
 * The one access check for items. An item the actor may not view is "not found", so its
 * existence does not leak; one they view but may not act on is "forbidden".
 */
export async function authorizeItem(
  ctx: DomainContext,
  actor: Actor,
  item: ItemRef | undefined,
  needed: PermissionLevel,
  what: string,
): Promise<PermissionLevel> {
  const level = item ? await effectiveLevel(ctx, actor, item) : null;
  if (!atLeast(level, 'view')) throw notFound(what);
  if (!atLeast(level, needed)) {
    throw forbidden(`You need ${needed} permission on ${what.charAt(0).toLowerCase()}${what.slice(1)}; you have ${level}.`);
  }
  return level!;
}

/** What lists may show the actor, applied in SQL by the store: items they hold `needed` on. */
export function visibilityFor(actor: Actor, needed: PermissionLevel = 'view'): ItemVisibility {
  return itemVisibility(actor, membershipsOf(actor), needed);
}

/**
 * Checks the actor may see an item's unpublished versions (drafts, imports in progress): that
 * takes `edit`. To anyone else they don't exist, so it answers not found, never forbidden.
 */
export function assertMaySeeUnpublished(level: PermissionLevel, what: string): void {
  if (!atLeast(level, 'edit')) throw notFound(what);
}

/**
 * The group a new item goes to: the one asked for, where the actor must be an editor or admin,
 * or else the actor's first such group.
 */
export async function resolveOwningGroup(ctx: DomainContext, actor: Actor, requested: number | undefined, location: string): Promise<number> {
  if (actor.kind !== 'user') throw forbidden('Sign in first.');
  if (requested !== undefined) {
    const group = await ctx.store.groups.findById(requested);
    if (!group) throw invalidInput(location, `no group has id ${requested}`);
    if (!isSiteAdmin(actor) && !atLeast(levelOfRole(roleIn(actor, requested)), 'edit')) {
      throw forbidden(`You must be an editor or admin of group ${requested} to add items to it.`);
    }
    return requested;
  }
  const editable = actor.memberships.find((m) => atLeast(levelOfRole(m.role), 'edit'));
  if (!editable) throw invalidInput(location, 'give the id of the group that will own it; you are not an editor of any group');
  return editable.group_id;
}

/**
 * A versioned item as a reader sees it: to those who may not see unpublished versions,
 * `latest_version_id` is the published version, so no draft's id reaches them.
 */
export function asSeenBy<T extends { latest_version_id: number; published_version_id: number | null }>(row: T, level: PermissionLevel | null): T {
  return atLeast(level, 'edit') || row.published_version_id === null ? row : { ...row, latest_version_id: row.published_version_id };
}
