/**
 * Invitations to join a workgroup: its admins invite an email address in a role, and the user
 * with that address, signed in, accepts (becoming a member) or refuses. Mapshelf sends no mail:
 * the admin passes the invitation's id on, and the invited user reads and answers it by that id.
 */
import { isSiteAdmin, type Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { conflict, forbidden, invalidInput, MapshelfError, notFound } from './errors.js';
import { memberRoles, type Group, type MemberRole } from './model/groups.js';
import type { Invitation } from './model/invitations.js';
import { workgroupRole } from './workgroups.js';

/** How long an invitation waits for its answer. */
const invitationDays = 30;

function checkEmail(email: string): string {
  const address = email.trim().toLowerCase();
  if (address.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(address)) throw invalidInput('email', 'must be an email address');
  return address;
}

function checkRole(role: string): MemberRole {
  if (!(memberRoles as readonly string[]).includes(role)) throw invalidInput('role', `must be one of ${memberRoles.join(', ')}`);
  return role as MemberRole;
}

function mustManage(actor: Actor, group: Group): void {
  if (workgroupRole(actor, group) !== 'admin') throw forbidden(`Only the admins of workgroup ${group.uid} can invite to it.`);
}

export async function listInvitations(ctx: DomainContext, actor: Actor, group: Group): Promise<Invitation[]> {
  if (workgroupRole(actor, group) === null) throw notFound(`Workgroup ${group.uid}`);
  mustManage(actor, group);
  return ctx.store.invitations.listForGroup(group.id);
}

export async function createInvitation(ctx: DomainContext, actor: Actor, group: Group, input: { email: string; role: string }): Promise<Invitation> {
  if (workgroupRole(actor, group) === null) throw notFound(`Workgroup ${group.uid}`);
  mustManage(actor, group);
  const email = checkEmail(input.email);
  const role = checkRole(input.role);
  const at = ctx.now();
  return ctx.store.transaction(async (repos) => {
    if (await repos.invitations.findForEmail(group.id, email)) throw conflict(`${email} is invited to workgroup ${group.uid} already; change that invitation's role instead.`);
    for (const user of await repos.users.findByEmail(email)) {
      if (await repos.groups.membership(group.id, user.id)) throw conflict(`${email} is a member of workgroup ${group.uid} already.`);
    }
    return repos.invitations.create({
      group_id: group.id,
      email,
      role,
      invited_by: actor.kind === 'user' ? actor.user.id : null,
      created_at: at.toISOString(),
      updated_at: at.toISOString(),
      expires_at: new Date(at.getTime() + invitationDays * 86_400_000).toISOString(),
    });
  });
}

/** The signed-in user's email address, lower case, or null. */
async function emailOf(ctx: DomainContext, actor: Actor): Promise<string | null> {
  if (actor.kind !== 'user') return null;
  return (await ctx.store.users.findById(actor.user.id))?.email?.toLowerCase() ?? null;
}

/** An invitation, for its workgroup's admins and for the user it invites; with its workgroup. */
export async function getInvitation(ctx: DomainContext, actor: Actor, uid: string): Promise<{ item: Invitation; group: Group; invited: boolean }> {
  const invitation = await ctx.store.invitations.findByUid(uid);
  const group = invitation && (await ctx.store.groups.findById(invitation.group_id));
  const invited = invitation !== undefined && (await emailOf(ctx, actor)) === invitation.email;
  // One the caller may not see is reported as missing, so ids can't be probed.
  if (!invitation || !group || !(invited || workgroupRole(actor, group) === 'admin')) throw notFound(`Invitation ${uid}`);
  return { item: invitation, group, invited };
}

export async function updateInvitation(ctx: DomainContext, actor: Actor, uid: string, input: { role: string }): Promise<{ item: Invitation; group: Group }> {
  const { item, group } = await getInvitation(ctx, actor, uid);
  mustManage(actor, group);
  return { item: await ctx.store.invitations.update(item.id, { role: checkRole(input.role), updated_at: timestamp(ctx) }), group };
}

export async function deleteInvitation(ctx: DomainContext, actor: Actor, uid: string): Promise<void> {
  const { item, group } = await getInvitation(ctx, actor, uid);
  mustManage(actor, group);
  await ctx.store.invitations.delete(item.id);
}

/** The invited user's answer: accepting makes them a member in the invitation's role; either way it is used up. */
export async function answerInvitation(ctx: DomainContext, actor: Actor, uid: string, accept: boolean): Promise<Group> {
  const { item, group, invited } = await getInvitation(ctx, actor, uid);
  // A site admin may see it, but only the invited user answers it.
  if (!invited || actor.kind !== 'user') throw forbidden(`Invitation ${uid} is for ${item.email}; only that user can answer it${isSiteAdmin(actor) ? '' : '.'}`);
  if (Date.parse(item.expires_at) <= ctx.now().getTime()) throw new MapshelfError('gone', `Invitation ${uid} expired at ${item.expires_at}. Ask an admin of the workgroup for a new one.`);
  const userId = actor.user.id;
  await ctx.store.transaction(async (repos) => {
    if (!(await repos.invitations.delete(item.id))) throw notFound(`Invitation ${uid}`);
    if (accept) await repos.groups.putMember({ group_id: group.id, user_id: userId, role: item.role, joined_at: timestamp(ctx) });
  });
  return group;
}
