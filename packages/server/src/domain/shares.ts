/**
 * Shares: a workgroup's catalogs opened to the group applications in a share (type
 * `application`: what a client-credentials token reads), to other workgroups (type `group`,
 * read-only), and, through the share's link token, to anyone holding the link. The workgroup's
 * admins and editors make and change them; the applications and workgroups in one read it.
 */
import { randomBytes } from 'node:crypto';
import { isSiteAdmin, type Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { invalidInput, notFound } from './errors.js';
import type { Application } from './model/applications.js';
import type { Group } from './model/groups.js';
import type { RecordCatalog } from './model/record-catalogs.js';
import type { Share, ShareMember, ShareType } from './model/shares.js';
import { getRecordCatalog } from './record-catalogs.js';
import { mayChangeKept, seesWorkgroup } from './workgroups.js';

export const shareTypes = ['application', 'group'] as const satisfies readonly ShareType[];
const shareRights = ['reshare'];

export interface ShareInput {
  name?: string;
  type?: string;
  rights?: unknown;
}

/** A share with what it opens and to whom. */
export interface ShareView {
  share: Share;
  group: Group;
  applications: Application[];
  catalogs: RecordCatalog[];
  groups: Group[];
}

const newUrlToken = () => randomBytes(16).toString('hex');

async function viewOf(ctx: DomainContext, share: Share): Promise<ShareView> {
  const [group, applicationIds, catalogIds, groupIds] = await Promise.all([
    ctx.store.groups.findById(share.group_id),
    ctx.store.shares.members(share.id, 'applications'),
    ctx.store.shares.members(share.id, 'catalogs'),
    ctx.store.shares.members(share.id, 'groups'),
  ]);
  const defined = <T>(items: Array<T | undefined>) => items.filter((item): item is T => item !== undefined);
  const catalogs = await ctx.store.recordCatalogs.listForGroup(share.group_id);
  return {
    share,
    group: group!,
    applications: defined(await Promise.all(applicationIds.map((id) => ctx.store.applications.findById(id)))),
    catalogs: catalogs.filter((catalog) => catalogIds.includes(catalog.id)),
    groups: defined(await Promise.all(groupIds.map((id) => ctx.store.groups.findById(id)))),
  };
}

/** Whether the actor reads the share: its workgroup's members, the applications and workgroups it opens to, site admins. */
async function readsShare(ctx: DomainContext, actor: Actor, share: Share): Promise<boolean> {
  if (isSiteAdmin(actor)) return true;
  if (actor.kind === 'application') return (await ctx.store.shares.members(share.id, 'applications')).includes(actor.application.id);
  if (actor.kind !== 'user') return false;
  const mine = actor.memberships.map((m) => m.group_id);
  return mine.includes(share.group_id) || (await ctx.store.shares.members(share.id, 'groups')).some((id) => mine.includes(id));
}

/**
 * The shares the actor reads: a group application, those it is in (what the SDK's `connect()`
 * reads first); a user, those of their workgroups and those open to them.
 */
export async function listShares(ctx: DomainContext, actor: Actor): Promise<ShareView[]> {
  let shares: Share[];
  if (actor.kind === 'application') shares = await ctx.store.shares.listFor({ application: actor.application.id });
  else if (isSiteAdmin(actor)) {
    const groups = await ctx.store.groups.list({ offset: 0, limit: 10_000, filters: [], sort: [] });
    shares = await ctx.store.shares.listFor({ madeBy: groups.items.map((g) => g.id) });
  } else if (actor.kind === 'user') {
    const mine = actor.memberships.map((m) => m.group_id);
    shares = await ctx.store.shares.listFor({ madeBy: mine, openTo: mine });
  } else shares = [];
  return Promise.all(shares.map((share) => viewOf(ctx, share)));
}

export async function listWorkgroupShares(ctx: DomainContext, actor: Actor, group: Group): Promise<ShareView[]> {
  if (!seesWorkgroup(actor, group)) throw notFound(`Workgroup ${group.uid}`);
  return Promise.all((await ctx.store.shares.listFor({ madeBy: [group.id] })).map((share) => viewOf(ctx, share)));
}

export async function getShare(ctx: DomainContext, actor: Actor, uid: string): Promise<ShareView> {
  const share = await ctx.store.shares.findByUid(uid);
  if (!share || !(await readsShare(ctx, actor, share))) throw notFound(`Share ${uid}`);
  return viewOf(ctx, share);
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 500) throw invalidInput('name', 'is required: 1 to 500 characters');
  return name.trim();
}

function checkRights(rights: unknown): string[] {
  const list = rights == null ? [] : Array.isArray(rights) ? rights : [rights];
  for (const [i, right] of list.entries()) if (typeof right !== 'string' || !shareRights.includes(right)) throw invalidInput(`rights[${i}]`, `must be one of ${shareRights.join(', ')}`);
  return [...new Set(list as string[])];
}

export async function createShare(ctx: DomainContext, actor: Actor, group: Group, input: ShareInput): Promise<ShareView> {
  mayChangeKept(actor, group, 'shares');
  if (typeof input.type !== 'string' || !(shareTypes as readonly string[]).includes(input.type)) {
    throw invalidInput('type', `must be ${shareTypes.join(' or ')}: opening catalogs to group applications, or to other workgroups`);
  }
  const at = timestamp(ctx);
  const share = await ctx.store.shares.create({
    group_id: group.id,
    name: checkName(input.name),
    type: input.type as ShareType,
    rights: checkRights(input.rights),
    url_token: newUrlToken(),
    created_at: at,
    updated_at: at,
  });
  return viewOf(ctx, share);
}

/** The share, for a change by its workgroup's admins and editors. */
async function ownShare(ctx: DomainContext, actor: Actor, uid: string): Promise<{ share: Share; group: Group }> {
  const share = await ctx.store.shares.findByUid(uid);
  const group = share && (await ctx.store.groups.findById(share.group_id));
  if (!share || !group || !(await readsShare(ctx, actor, share))) throw notFound(`Share ${uid}`);
  mayChangeKept(actor, group, 'shares');
  return { share, group };
}

export async function updateShare(ctx: DomainContext, actor: Actor, uid: string, input: ShareInput): Promise<ShareView> {
  const { share } = await ownShare(ctx, actor, uid);
  if (input.type !== undefined && input.type !== share.type) throw invalidInput('type', `is ${share.type}: a share keeps its type; make another`);
  const updated = await ctx.store.shares.update(share.id, {
    ...(input.name !== undefined && { name: checkName(input.name) }),
    ...(input.rights !== undefined && { rights: checkRights(input.rights) }),
    updated_at: timestamp(ctx),
  });
  return viewOf(ctx, updated);
}

export async function deleteShare(ctx: DomainContext, actor: Actor, uid: string): Promise<void> {
  await ctx.store.shares.delete((await ownShare(ctx, actor, uid)).share.id);
}

/** A new link token: links with the old one stop working at once. */
export async function refreshShareToken(ctx: DomainContext, actor: Actor, uid: string): Promise<ShareView> {
  const { share } = await ownShare(ctx, actor, uid);
  return viewOf(ctx, await ctx.store.shares.update(share.id, { url_token: newUrlToken(), updated_at: timestamp(ctx) }));
}

/** The id of what a share would open to (or open), by its uid: a group application, a catalog of the share's workgroup, a workgroup. */
async function memberId(ctx: DomainContext, actor: Actor, share: Share, kind: ShareMember, uid: string): Promise<number> {
  if (kind === 'applications') {
    const application = await ctx.store.applications.findByUid(uid);
    if (!application) throw notFound(`Application ${uid}`);
    if (application.type !== 'group') throw invalidInput('application', `${uid} is a user application; shares open catalogs to group applications`);
    return application.id;
  }
  if (kind === 'catalogs') {
    const { item } = await getRecordCatalog(ctx, actor, uid);
    if (item.group_id !== share.group_id) throw notFound(`Catalog ${uid} of the share's workgroup`);
    return item.id;
  }
  const group = await ctx.store.groups.findByUid(uid);
  if (!group) throw notFound(`Workgroup ${uid}`);
  if (share.type !== 'group') throw invalidInput('group', 'an application share opens its catalogs to applications; make a group share for workgroups');
  return group.id;
}

export async function addToShare(ctx: DomainContext, actor: Actor, shareUid: string, kind: ShareMember, uid: string): Promise<void> {
  const { share } = await ownShare(ctx, actor, shareUid);
  if (kind === 'applications' && share.type !== 'application') throw invalidInput('application', 'a group share opens its catalogs to workgroups; make an application share for applications');
  await ctx.store.shares.addMember(share.id, kind, await memberId(ctx, actor, share, kind, uid));
}

export async function removeFromShare(ctx: DomainContext, actor: Actor, shareUid: string, kind: ShareMember, uid: string): Promise<void> {
  const { share } = await ownShare(ctx, actor, shareUid);
  const id = await memberId(ctx, actor, share, kind, uid).catch(() => undefined);
  if (id === undefined || !(await ctx.store.shares.removeMember(share.id, kind, id))) throw notFound(`${uid} in share ${shareUid}`);
}

/** The shares opening a catalog, for whoever sees the catalog. */
export async function sharesOfCatalog(ctx: DomainContext, actor: Actor, catalogUid: string): Promise<ShareView[]> {
  const { item } = await getRecordCatalog(ctx, actor, catalogUid);
  return Promise.all((await ctx.store.shares.listFor({ catalog: item.id })).map((share) => viewOf(ctx, share)));
}
