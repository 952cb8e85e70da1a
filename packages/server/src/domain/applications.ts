/**
 * OAuth2 applications (clients) of the Metadata API: created by site admins (Isogeo's staff),
 * or offline by the operator (`mapshelf applications create`); a group application belongs to
 * workgroups, and reads what they share with it.
 */
import { randomBytes } from 'node:crypto';
import { isSiteAdmin, roleIn, type Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { conflict, forbidden, invalidInput, MapshelfError, notFound } from './errors.js';
import type { Application, ApplicationKind, ApplicationPatch, ApplicationType } from './model/applications.js';
import type { Group } from './model/groups.js';
import type { Repositories } from './ports/store.js';
import { metadataScopes } from './scopes.js';
import { hashSecret } from './tokens.js';

export const applicationTypes: readonly ApplicationType[] = ['group', 'user'];
export const applicationKinds: readonly ApplicationKind[] = ['public', 'confidential'];

/** A group application reads; a user application acts as its user. */
// `admin` reaches only the admin users who sign in through it (`oauth.ts`).
const defaultScopes: Record<ApplicationType, string[]> = { group: ['resources:read'], user: ['resources:read', 'resources:write', 'admin'] };

export interface ApplicationInput {
  name: string;
  type: ApplicationType;
  kind?: ApplicationKind;
  url?: string | null;
  redirect_uris?: string[];
  scopes?: string[];
  can_have_many_groups?: boolean;
}

export interface CreatedApplication {
  application: Application;
  /** The secret, shown once: 64 characters, as the Isogeo SDK requires. */
  clientSecret: string;
}

/** `Koordinates Sync!` → `koordinates-sync`: the readable part of a client id. */
function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug || 'application';
}

function checkScopes(scopes: readonly string[], type: ApplicationType): string[] {
  const known = new Set<string>(metadataScopes);
  const unknown = scopes.filter((s) => !known.has(s));
  if (unknown.length > 0) throw invalidInput('scopes', `unknown scope(s) ${unknown.join(', ')}; known scopes are: ${metadataScopes.join(' ')}`);
  // A group application acts for nobody, so it only reads.
  if (type === 'group' && scopes.some((s) => s !== 'resources:read')) throw invalidInput('scopes', 'a group application may only hold resources:read');
  return [...new Set(scopes)];
}

function checkUrl(value: string | null | undefined, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidInput(field, 'must be an absolute http or https URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidInput(field, 'must be an absolute http or https URL');
  return url.href;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 200) throw invalidInput('name', 'must be 1 to 200 characters');
  return trimmed;
}

/** Stores a new application and its groups; shared by the API and the offline command. */
export async function insertApplication(repos: Repositories, at: string, input: ApplicationInput, groups: readonly Group[] = []): Promise<CreatedApplication> {
  if (!applicationTypes.includes(input.type)) throw invalidInput('type', `must be one of ${applicationTypes.join(', ')}`);
  if (input.kind !== undefined && !applicationKinds.includes(input.kind)) throw invalidInput('kind', `must be one of ${applicationKinds.join(', ')}`);
  if (input.type === 'user' && groups.length > 0) throw invalidInput('groups', 'only a group application belongs to workgroups');
  const clientSecret = randomBytes(48).toString('base64url');
  const application = await repos.applications.create({
    name: checkName(input.name),
    type: input.type,
    kind: input.kind ?? 'confidential',
    client_id: `${slugOf(input.name)}-${randomBytes(16).toString('hex')}`,
    secret_hash: hashSecret(clientSecret),
    url: checkUrl(input.url, 'url'),
    redirect_uris: (input.redirect_uris ?? []).map((uri, i) => checkUrl(uri, `redirect_uris[${i}]`)!),
    scopes: checkScopes(input.scopes ?? defaultScopes[input.type], input.type),
    can_have_many_groups: input.can_have_many_groups ?? false,
    staff: false,
    created_at: at,
    updated_at: at,
  });
  for (const group of groups) await repos.applications.addGroup(application.id, group.id);
  return { application, clientSecret };
}

function mustBeAdmin(actor: Actor, what: string): void {
  if (!isSiteAdmin(actor)) throw forbidden(`Only site admins can ${what}.`);
}

export async function createApplication(ctx: DomainContext, actor: Actor, input: ApplicationInput): Promise<CreatedApplication> {
  mustBeAdmin(actor, 'create applications');
  return ctx.store.transaction((repos) => insertApplication(repos, timestamp(ctx), input));
}

/** Whether the actor may see the application: site admins all, a workgroup's admins their workgroup's. */
async function canSee(ctx: DomainContext, actor: Actor, application: Application): Promise<boolean> {
  if (isSiteAdmin(actor)) return true;
  if (actor.kind === 'application') return actor.application.id === application.id;
  const groups = await ctx.store.applications.groupIds(application.id);
  return groups.some((g) => roleIn(actor, g) === 'admin');
}

export async function getApplication(ctx: DomainContext, actor: Actor, uid: string): Promise<Application> {
  const application = await ctx.store.applications.findByUid(uid);
  // One the caller may not see is reported as missing, so ids can't be probed.
  if (!application || !(await canSee(ctx, actor, application))) throw notFound(`Application ${uid}`);
  return application;
}

export async function listApplications(ctx: DomainContext, actor: Actor): Promise<Application[]> {
  const all = await ctx.store.applications.list();
  if (isSiteAdmin(actor)) return all;
  const seen: Application[] = [];
  for (const application of all) if (await canSee(ctx, actor, application)) seen.push(application);
  return seen;
}

/** A workgroup's applications, for its members. */
export async function listGroupApplications(ctx: DomainContext, actor: Actor, group: Group): Promise<Application[]> {
  if (!isSiteAdmin(actor) && roleIn(actor, group.id) === null) throw notFound(`Workgroup ${group.uid}`);
  return ctx.store.applications.list({ groupId: group.id });
}

export async function updateApplication(ctx: DomainContext, actor: Actor, uid: string, input: Partial<ApplicationInput>): Promise<Application> {
  const application = await getApplication(ctx, actor, uid);
  mustBeAdmin(actor, 'change applications');
  if (input.type !== undefined && input.type !== application.type) throw invalidInput('type', 'an application keeps its type; create another one');
  const patch: ApplicationPatch = { updated_at: timestamp(ctx) };
  if (input.name !== undefined) patch.name = checkName(input.name);
  if (input.kind !== undefined) {
    if (!applicationKinds.includes(input.kind)) throw invalidInput('kind', `must be one of ${applicationKinds.join(', ')}`);
    patch.kind = input.kind;
  }
  if (input.url !== undefined) patch.url = checkUrl(input.url, 'url');
  if (input.redirect_uris !== undefined) patch.redirect_uris = input.redirect_uris.map((uri, i) => checkUrl(uri, `redirect_uris[${i}]`)!);
  if (input.scopes !== undefined) patch.scopes = checkScopes(input.scopes, application.type);
  if (input.can_have_many_groups !== undefined) patch.can_have_many_groups = input.can_have_many_groups;
  return ctx.store.applications.update(application.id, patch);
}

export async function deleteApplication(ctx: DomainContext, actor: Actor, uid: string): Promise<void> {
  const application = await getApplication(ctx, actor, uid);
  mustBeAdmin(actor, 'delete applications');
  // Its tokens go with it (on delete cascade).
  await ctx.store.applications.delete(application.id);
}

/** Adds a group application to a workgroup: site admins, or the workgroup's admins for an application they can see. */
export async function associateApplication(ctx: DomainContext, actor: Actor, uid: string, group: Group): Promise<void> {
  const application = await getApplication(ctx, actor, uid);
  if (!isSiteAdmin(actor) && roleIn(actor, group.id) !== 'admin') throw forbidden(`Only site admins and the admins of workgroup ${group.uid} can add applications to it.`);
  if (application.type !== 'group') throw new MapshelfError('conflict', 'Only a group application belongs to workgroups; a user application acts as whoever signs in.');
  await ctx.store.transaction(async (repos) => {
    const groups = await repos.applications.groupIds(application.id);
    if (groups.includes(group.id)) return;
    if (groups.length > 0 && !application.can_have_many_groups) throw conflict(`Application ${uid} belongs to a workgroup already, and canHaveManyGroups is false.`);
    await repos.applications.addGroup(application.id, group.id);
  });
}

export async function dissociateApplication(ctx: DomainContext, actor: Actor, uid: string, group: Group): Promise<void> {
  const application = await getApplication(ctx, actor, uid);
  if (!isSiteAdmin(actor) && roleIn(actor, group.id) !== 'admin') throw forbidden(`Only site admins and the admins of workgroup ${group.uid} can remove applications from it.`);
  if (!(await ctx.store.applications.removeGroup(application.id, group.id))) throw notFound(`Application ${uid} in workgroup ${group.uid}`);
}

/** The workgroups an application belongs to. */
export async function applicationGroups(ctx: DomainContext, application: Application): Promise<Group[]> {
  const groups = await Promise.all((await ctx.store.applications.groupIds(application.id)).map((id) => ctx.store.groups.findById(id)));
  return groups.filter((g): g is Group => g !== undefined);
}
