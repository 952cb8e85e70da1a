import { removeRecordFiles } from './item-records.js';
import type { Group, Member, MemberRole } from './model/groups.js';
import type { UserMembership } from './model/users.js';
import { isSiteAdmin, roleIn, type Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { conflict, forbidden, invalidInput, notFound } from './errors.js';
import type { ListQuery, ListResult } from './list-query.js';
import { canGroup, type GroupAction } from './policies/groups.js';

export interface GroupDetail {
  group: Group;
  memberCount: number;
}

/** Loads a group and checks the action on it; a group you may not see is "not found". */
async function authorizedGroup(ctx: DomainContext, actor: Actor, id: number, action: GroupAction): Promise<Group> {
  const group = await ctx.store.groups.findById(id);
  const role = group ? roleIn(actor, id) : null;
  // A group the actor is not in is "not found" to them, for every action, so ids don't leak names.
  if (!group || !canGroup(actor, 'view', role)) throw notFound(`Group ${id}`);
  if (action !== 'view' && !canGroup(actor, action, role)) {
    throw forbidden(`You may not ${action.replace('-', ' ')} group ${id}: ask a site admin or one of its admins.`);
  }
  return group;
}

/**
 * A user's memberships as the actor may see them: all of them for the user themselves and site
 * admins; for others only the groups the actor is in too, so a user's detail never names a
 * group the reader could not open.
 */
export async function membershipsSeenBy(ctx: DomainContext, actor: Actor, userId: number): Promise<UserMembership[]> {
  const memberships = await ctx.store.users.memberships(userId);
  if (isSiteAdmin(actor) || (actor.kind === 'user' && actor.user.id === userId)) return memberships;
  if (actor.kind !== 'user') return [];
  const mine = new Set(actor.memberships.map((m) => m.group_id));
  return memberships.filter((m) => mine.has(m.group_id));
}

/** A group with its member count. */
export async function groupDetail(ctx: DomainContext, group: Group): Promise<GroupDetail> {
  return { group, memberCount: await ctx.store.groups.memberCount(group.id) };
}

/** Site admins list every group; other users the groups they belong to; anyone else none. */
export async function listGroups(ctx: DomainContext, actor: Actor, query: ListQuery): Promise<ListResult<Group>> {
  if (isSiteAdmin(actor)) return ctx.store.groups.list(query);
  if (actor.kind !== 'user') return { items: [], total: 0 };
  return ctx.store.groups.list(query, { memberId: actor.user.id });
}

export async function getGroup(ctx: DomainContext, actor: Actor, id: number): Promise<GroupDetail> {
  return groupDetail(ctx, await authorizedGroup(ctx, actor, id, 'view'));
}

async function assertNameFree(ctx: DomainContext, name: string, exceptId?: number): Promise<void> {
  const existing = await ctx.store.groups.findByName(name);
  if (existing && existing.id !== exceptId) throw conflict(`A group named "${name}" exists already.`);
}

export async function createGroup(
  ctx: DomainContext,
  actor: Actor,
  input: { name: string; description?: string },
): Promise<GroupDetail> {
  if (!canGroup(actor, 'create', null)) throw forbidden('Only site admins (admin user and admin scope) can create groups.');
  await assertNameFree(ctx, input.name);
  const group = await ctx.store.groups.create({ name: input.name, description: input.description ?? '', created_at: timestamp(ctx) });
  return groupDetail(ctx, group);
}

export async function updateGroup(
  ctx: DomainContext,
  actor: Actor,
  id: number,
  input: { name?: string; description?: string },
): Promise<GroupDetail> {
  await authorizedGroup(ctx, actor, id, 'update');
  if (input.name !== undefined) await assertNameFree(ctx, input.name, id);
  const group = await ctx.store.groups.update(id, { ...input, updated_at: timestamp(ctx) });
  return groupDetail(ctx, group);
}

export async function deleteGroup(ctx: DomainContext, actor: Actor, id: number): Promise<void> {
  await authorizedGroup(ctx, actor, id, 'delete');
  // Its records go with it (a cascade); then their hosted files, which no row names any more.
  const records = await ctx.store.records.uidsForGroup(id);
  await ctx.store.groups.delete(id);
  for (const uid of records) await removeRecordFiles(ctx, uid);
}

export async function listMembers(
  ctx: DomainContext,
  actor: Actor,
  groupId: number,
  query: ListQuery,
): Promise<ListResult<Member>> {
  await authorizedGroup(ctx, actor, groupId, 'view');
  return ctx.store.groups.listMembers(groupId, query);
}

export async function getMember(ctx: DomainContext, actor: Actor, groupId: number, userId: number): Promise<Member> {
  await authorizedGroup(ctx, actor, groupId, 'view');
  const member = await ctx.store.groups.membership(groupId, userId);
  if (!member) throw notFound(`User ${userId} in group ${groupId}`);
  return member;
}

/** Adds a user to a group, or changes their role there. */
export async function putMember(
  ctx: DomainContext,
  actor: Actor,
  groupId: number,
  input: { user: number; role: MemberRole },
): Promise<{ member: Member; created: boolean }> {
  await authorizedGroup(ctx, actor, groupId, 'manage-members');
  const user = await ctx.store.users.findById(input.user);
  if (!user || !user.is_active) throw invalidInput('user', `no active user has id ${input.user}`);
  const existed = (await ctx.store.groups.membership(groupId, input.user)) !== undefined;
  await ctx.store.groups.putMember({ group_id: groupId, user_id: input.user, role: input.role, joined_at: timestamp(ctx) });
  return { member: (await ctx.store.groups.membership(groupId, input.user))!, created: !existed };
}

export async function removeMember(ctx: DomainContext, actor: Actor, groupId: number, userId: number): Promise<void> {
  await authorizedGroup(ctx, actor, groupId, 'manage-members');
  if (!(await ctx.store.groups.removeMember(groupId, userId))) throw notFound(`User ${userId} in group ${groupId}`);
}

/** A workgroup by its public `_id`, for the faces that address groups so; what the caller may do with it is checked where it is used. */
export async function groupByUid(ctx: DomainContext, uid: string): Promise<Group> {
  const group = await ctx.store.groups.findByUid(uid);
  if (!group) throw notFound(`Workgroup ${uid}`);
  return group;
}
