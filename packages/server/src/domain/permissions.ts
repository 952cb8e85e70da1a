import type { PermissionRow } from '../store/schema.js';
import type { Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { invalidInput, notFound, under } from './errors.js';
import { authorizeItem, type ItemRef } from './item-access.js';
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
  const exists =
    kind === 'group' ? await ctx.store.groups.findById(Number(id)) : (await ctx.store.users.findById(Number(id)))?.is_active ? true : undefined;
  if (!exists) throw invalidInput(location, `no ${kind === 'group' ? 'group' : 'active user'} has id ${id}`);
}

/** Who holds which level on an item. Managing and listing permissions needs admin on it. */
export async function listPermissions(ctx: DomainContext, actor: Actor, item: ItemRef | undefined, what: string): Promise<PermissionRow[]> {
  await authorizeItem(ctx, actor, item, 'admin', what);
  return ctx.store.permissions.list(item!.kind, item!.id);
}

export async function getPermission(ctx: DomainContext, actor: Actor, item: ItemRef | undefined, principal: string, what: string): Promise<PermissionRow> {
  await authorizeItem(ctx, actor, item, 'admin', what);
  const row = await ctx.store.permissions.find(item!.kind, item!.id, principal);
  if (!row) throw notFound(`Permission ${principal} on ${what.toLowerCase()}`);
  return row;
}

/** Grants (or changes) one principal's level. */
export async function putPermission(ctx: DomainContext, actor: Actor, item: ItemRef | undefined, entry: PermissionEntry, what: string): Promise<PermissionRow> {
  await authorizeItem(ctx, actor, item, 'admin', what);
  await checkEntry(ctx, entry, '');
  await ctx.store.permissions.put(item!.kind, item!.id, entry.principal, entry.level, timestamp(ctx));
  return (await ctx.store.permissions.find(item!.kind, item!.id, entry.principal))!;
}

/** Replaces every permission of an item at once. */
export async function replacePermissions(
  ctx: DomainContext,
  actor: Actor,
  item: ItemRef | undefined,
  entries: PermissionEntry[],
  what: string,
): Promise<PermissionRow[]> {
  await authorizeItem(ctx, actor, item, 'admin', what);
  for (const [index, entry] of entries.entries()) await checkEntry(ctx, entry, `[${index}]`);
  const at = timestamp(ctx);
  await ctx.store.transaction(async (repos) => {
    await repos.permissions.clear(item!.kind, item!.id);
    for (const entry of entries) await repos.permissions.put(item!.kind, item!.id, entry.principal, entry.level, at);
  });
  return ctx.store.permissions.list(item!.kind, item!.id);
}
