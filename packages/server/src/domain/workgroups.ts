/**
 * Workgroups, as the Metadata API names Mapshelf's groups: the same groups and memberships as
 * the Data API's, seen by their members, their group applications and site admins.
 */
import { isSiteAdmin, roleIn, type Actor } from './actor.js';
import type { DomainContext } from './context.js';
import { forbidden, notFound } from './errors.js';
import type { Group } from './model/groups.js';

export interface WorkgroupLimits {
  /** The records it holds (its layers, tables, sets and documents); Mapshelf sets no maximum (-1). */
  resources: { current: number; max: number };
  /** Its members. */
  users: { current: number; max: number };
}

/** Whether the actor sees the workgroup: a member, one of its applications, or a site admin. */
export function seesWorkgroup(actor: Actor, group: Group): boolean {
  if (isSiteAdmin(actor)) return true;
  if (actor.kind === 'application') return actor.groups.includes(group.id);
  return roleIn(actor, group.id) !== null;
}

/** The actor's role in the workgroup, or null (a site admin acts as its admin). */
export function workgroupRole(actor: Actor, group: Group): string | null {
  return roleIn(actor, group.id) ?? (isSiteAdmin(actor) ? 'admin' : null);
}

/** Whether the actor may change what the workgroup keeps (contacts, licences, records): its admins and editors, and site admins. */
export function editsWorkgroup(actor: Actor, group: Group): boolean {
  const role = workgroupRole(actor, group);
  return role === 'admin' || role === 'editor';
}

export async function getWorkgroup(ctx: DomainContext, actor: Actor, uid: string): Promise<Group> {
  const group = await ctx.store.groups.findByUid(uid);
  // One the caller may not see is reported as missing, so ids can't be probed.
  if (!group || !seesWorkgroup(actor, group)) throw notFound(`Workgroup ${uid}`);
  return group;
}

/** The workgroups the actor sees, by name. */
export async function listWorkgroups(ctx: DomainContext, actor: Actor): Promise<Group[]> {
  const all = await ctx.store.groups.list({ offset: 0, limit: 10_000, filters: [], sort: [{ field: 'name', descending: false }] });
  return all.items.filter((group) => seesWorkgroup(actor, group));
}

/** What a workgroup holds, counted: its records by type, its members, and what it keeps. */
export interface WorkgroupStatistics {
  resources: { total: number; byType: Record<string, number> };
  users: number;
  contacts: number;
  licenses: number;
  specifications: number;
}

export async function workgroupStatistics(ctx: DomainContext, actor: Actor, group: Group): Promise<WorkgroupStatistics> {
  if (!seesWorkgroup(actor, group)) throw notFound(`Workgroup ${group.uid}`);
  const [byType, users, contacts, licenses, specifications] = await Promise.all([
    ctx.store.records.countByType(group.id),
    ctx.store.groups.memberCount(group.id),
    ctx.store.contacts.listForGroup(group.id),
    ctx.store.licenses.listForGroup(group.id),
    ctx.store.specifications.listForGroup(group.id),
  ]);
  return {
    resources: { total: [...byType.values()].reduce((a, b) => a + b, 0), byType: Object.fromEntries(byType) },
    users,
    contacts: contacts.length,
    licenses: licenses.filter((license) => license.group_id === group.id).length,
    specifications: specifications.length,
  };
}

export async function workgroupLimits(ctx: DomainContext, group: Group): Promise<WorkgroupLimits> {
  const [resources, users] = await Promise.all([ctx.store.groups.itemCount(group.id), ctx.store.groups.memberCount(group.id)]);
  return { resources: { current: resources, max: -1 }, users: { current: users, max: -1 } };
}

/** Something a workgroup keeps (a contact, a specification), by its `_id`, for whoever sees the workgroup. */
export async function keptByWorkgroup<T extends { group_id: number }>(ctx: DomainContext, actor: Actor, item: T | undefined, what: string): Promise<{ item: T; group: Group }> {
  const group = item && (await ctx.store.groups.findById(item.group_id));
  // One the caller may not see is reported as missing, so ids can't be probed.
  if (!item || !group || !seesWorkgroup(actor, group)) throw notFound(what);
  return { item, group };
}

/**
 * That the actor may change what the workgroup keeps: `item` (when given) must be the
 * workgroup's own, else it is missing there; and the actor one of its admins or editors.
 */
export function mayChangeKept(actor: Actor, group: Group, kind: string, item?: { group_id: number } | undefined, what?: string): void {
  if (!seesWorkgroup(actor, group)) throw notFound(`Workgroup ${group.uid}`);
  if (what !== undefined && (!item || item.group_id !== group.id)) throw notFound(`${what} in workgroup ${group.uid}`);
  if (!editsWorkgroup(actor, group)) throw forbidden(`Only the admins and editors of workgroup ${group.uid} can change its ${kind}.`);
}
