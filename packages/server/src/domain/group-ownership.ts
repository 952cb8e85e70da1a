import { isSiteAdmin, type Actor } from './actor.js';
import type { DomainContext } from './context.js';
import { forbidden, invalidParameter, notFound } from './errors.js';
import { canGroupOwned, type GroupOwnedAction } from './policies/group-owned.js';

async function roleIn(ctx: DomainContext, actor: Actor, groupId: number): Promise<string | null> {
  if (actor.kind !== 'user') return null;
  return (await ctx.store.groups.membership(groupId, actor.user.id))?.role ?? null;
}

/**
 * Checks an action on an item a group owns. An item the actor may not see is "not found", so
 * ids can't be probed; one they see but may not change is "forbidden".
 */
export async function authorizeGroupOwned(
  ctx: DomainContext,
  actor: Actor,
  item: { group_id: number } | undefined,
  action: GroupOwnedAction,
  what: string,
): Promise<void> {
  const role = item ? await roleIn(ctx, actor, item.group_id) : null;
  if (!item || !canGroupOwned(actor, 'view', role)) throw notFound(what);
  if (action !== 'view' && !canGroupOwned(actor, action, role)) {
    throw forbidden(`Only editors and admins of the owning group may change ${what}.`);
  }
}

/**
 * The group a new item goes to: the one asked for, where the actor must be an editor or admin,
 * or else the actor's first such group.
 */
export async function resolveOwningGroup(ctx: DomainContext, actor: Actor, requested: number | undefined, location: string): Promise<number> {
  if (actor.kind !== 'user') throw forbidden('Sign in first.');
  if (requested !== undefined) {
    const group = await ctx.store.groups.findById(requested);
    if (!group) throw invalidParameter(location, `no group has id ${requested}`);
    if (!isSiteAdmin(actor) && !canGroupOwned(actor, 'edit', await roleIn(ctx, actor, requested))) {
      throw forbidden(`You must be an editor or admin of group ${requested} to add items to it.`);
    }
    return requested;
  }
  const memberships = await ctx.store.users.memberships(actor.user.id);
  const editable = memberships.find((m) => m.role === 'admin' || m.role === 'editor');
  if (!editable) throw invalidParameter(location, 'give the id of the group that will own it; you are not an editor of any group');
  return editable.group_id;
}
