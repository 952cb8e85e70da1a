import { maxId } from './model/ids.js';
import type { Permission } from './model/permissions.js';
import type { Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { invalidInput, notFound, under } from './errors.js';
import { authorizeItem, type ItemRef } from './item-access.js';
import { findItemRef, itemName, type ItemAddress } from './item-refs.js';
import { everyone, type PermissionLevel } from './policies/items.js';

export interface PermissionEntry {
  principal: string;
  level: PermissionLevel;
  /** The input field that named the principal (`id`, `group` or `user`), for error locations. */
  field?: string;
}

const principalPattern = /^(group\.(everyone|[1-9]\d*)|user\.[1-9]\d*)$/;

/** Checks a principal names a real group or active user, and what `group.everyone` may hold. `at` is the entry's place in the input. */
async function checkEntry(ctx: DomainContext, entry: PermissionEntry, at: string): Promise<void> {
  const location = under(at, entry.field ?? 'id');
  if (!principalPattern.test(entry.principal)) {
    throw invalidInput(location, `"${entry.principal}" is not a principal; use group.everyone, group.<id> or user.<id>`);
  }
  const [kind, id] = entry.principal.split('.') as ['group' | 'user', string];
  if (entry.principal === everyone) {
    // The public may read and download; changing an item takes a signed-in user.
    if (entry.level === 'edit' || entry.level === 'admin') throw invalidInput(under(at, 'permission'), 'group.everyone can hold view or download only');
    return;
  }
  // An id past the stores' range names nobody (and PostgreSQL would refuse to look it up).
  const exists =
    Number(id) > maxId ? undefined : kind === 'group' ? await ctx.store.groups.findById(Number(id)) : (await ctx.store.users.findById(Number(id)))?.is_active ? true : undefined;
  if (!exists) throw invalidInput(location, `no ${kind === 'group' ? 'group' : 'active user'} has id ${id}`);
}

/** The item, once the actor is found to hold admin on it: managing and listing permissions needs that. */
async function administeredItem(ctx: DomainContext, actor: Actor, item: ItemAddress): Promise<ItemRef> {
  const ref = await findItemRef(ctx, item);
  await authorizeItem(ctx, actor, ref, 'admin', itemName(item));
  return ref!;
}

/** Who holds which level on an item. */
export async function listPermissions(ctx: DomainContext, actor: Actor, item: ItemAddress): Promise<Permission[]> {
  const ref = await administeredItem(ctx, actor, item);
  return ctx.store.permissions.list(ref.kind, ref.id);
}

export async function getPermission(ctx: DomainContext, actor: Actor, item: ItemAddress, principal: string): Promise<Permission> {
  const ref = await administeredItem(ctx, actor, item);
  const row = await ctx.store.permissions.find(ref.kind, ref.id, principal);
  if (!row) throw notFound(`Permission ${principal} on ${itemName(item).toLowerCase()}`);
  return row;
}

/** Grants (or changes) one principal's level. */
export async function putPermission(ctx: DomainContext, actor: Actor, item: ItemAddress, entry: PermissionEntry): Promise<Permission> {
  const ref = await administeredItem(ctx, actor, item);
  await checkEntry(ctx, entry, '');
  await ctx.store.permissions.put(ref.kind, ref.id, entry.principal, entry.level, timestamp(ctx));
  return (await ctx.store.permissions.find(ref.kind, ref.id, entry.principal))!;
}

/** Replaces every permission of an item at once. */
export async function replacePermissions(ctx: DomainContext, actor: Actor, item: ItemAddress, entries: PermissionEntry[]): Promise<Permission[]> {
  const ref = await administeredItem(ctx, actor, item);
  for (const [index, entry] of entries.entries()) await checkEntry(ctx, entry, `[${index}]`);
  const at = timestamp(ctx);
  await ctx.store.transaction(async (repos) => {
    await repos.permissions.clear(ref.kind, ref.id);
    for (const entry of entries) await repos.permissions.put(ref.kind, ref.id, entry.principal, entry.level, at);
  });
  return ctx.store.permissions.list(ref.kind, ref.id);
}
