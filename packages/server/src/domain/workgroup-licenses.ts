/**
 * Licences as the Metadata API's workgroups see them: the site's (built in, or added by site
 * admins in the Data API), which are every workgroup's, and those a workgroup adds for itself.
 * Its admins and editors change its own; the site's change only in the Data API.
 */
import type { Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { checkedWebLink } from './web-links.js';
import { conflict, invalidInput, notFound } from './errors.js';
import { licenseSlug } from './licenses.js';
import type { Group } from './model/groups.js';
import type { License, LicensePatch } from './model/licenses.js';
import { mayChangeKept, seesWorkgroup } from './workgroups.js';

export interface WorkgroupLicenseInput {
  name?: string;
  content?: string | null;
  link?: string | null;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!licenseSlug(trimmed) || trimmed.length > 500) throw invalidInput('name', 'must be 1 to 500 characters, with at least one letter or digit');
  return trimmed;
}

function checkContent(content: string | null | undefined): string {
  if (content != null && content.length > 100_000) throw invalidInput('content', 'must be at most 100000 characters');
  return content ?? '';
}

export async function listWorkgroupLicenses(ctx: DomainContext, actor: Actor, group: Group): Promise<License[]> {
  if (!seesWorkgroup(actor, group)) throw notFound(`Workgroup ${group.uid}`);
  return ctx.store.licenses.listForGroup(group.id);
}

/** A licence by `_id`: a site licence for anyone signed in, a workgroup's own for whoever sees the workgroup. */
export async function getWorkgroupLicense(ctx: DomainContext, actor: Actor, uid: string): Promise<{ item: License; group: Group | null }> {
  const license = await ctx.store.licenses.findByUid(uid);
  const group = license?.group_id == null ? null : await ctx.store.groups.findById(license.group_id);
  if (!license || (license.group_id !== null && (!group || !seesWorkgroup(actor, group)))) throw notFound(`License ${uid}`);
  return { item: license, group: group ?? null };
}

/** A workgroup's own licence, named apart from the site's by the workgroup's uid as its jurisdiction. */
export async function createWorkgroupLicense(ctx: DomainContext, actor: Actor, group: Group, input: WorkgroupLicenseInput): Promise<License> {
  mayChangeKept(actor, group, 'licences');
  if (input.name === undefined) throw invalidInput('name', 'is required');
  const title = checkName(input.name);
  const slug = licenseSlug(title);
  if ((await ctx.store.licenses.listForGroup(group.id)).some((l) => l.group_id === group.id && l.slug === slug)) {
    throw conflict(`Workgroup ${group.uid} has a licence named "${title}" already.`);
  }
  return ctx.store.licenses.create({
    slug,
    jurisdiction: group.uid,
    title,
    type: 'custom',
    version: '',
    url: checkedWebLink('link', input.link ?? null),
    text: checkContent(input.content),
    is_custom: true,
    group_id: group.id,
    created_at: timestamp(ctx),
  });
}

async function ownLicense(ctx: DomainContext, actor: Actor, group: Group, uid: string): Promise<License> {
  const license = await ctx.store.licenses.findByUid(uid);
  const owned = license && license.group_id !== null ? { ...license, group_id: license.group_id } : undefined;
  mayChangeKept(actor, group, 'licences', owned, `License ${uid}`);
  return license!;
}

export async function updateWorkgroupLicense(ctx: DomainContext, actor: Actor, group: Group, uid: string, input: WorkgroupLicenseInput): Promise<License> {
  const license = await ownLicense(ctx, actor, group, uid);
  const patch: LicensePatch = {};
  if (input.name !== undefined) {
    patch.title = checkName(input.name);
    patch.slug = licenseSlug(patch.title);
    const slug = patch.slug;
    if ((await ctx.store.licenses.listForGroup(group.id)).some((l) => l.group_id === group.id && l.slug === slug && l.id !== license.id)) {
      throw conflict(`Workgroup ${group.uid} has a licence named like "${patch.title}" already.`);
    }
  }
  if (input.link !== undefined) patch.url = checkedWebLink('link', input.link);
  if (input.content !== undefined) patch.text = checkContent(input.content);
  return Object.keys(patch).length === 0 ? license : ctx.store.licenses.update(license.id, patch);
}

/** Deletes a workgroup's own licence, and the conditions that cited it. */
export async function deleteWorkgroupLicense(ctx: DomainContext, actor: Actor, group: Group, uid: string): Promise<void> {
  const license = await ownLicense(ctx, actor, group, uid);
  await ctx.store.transaction(async (repos) => {
    await repos.records.deleteReferring('condition', license.uid);
    await repos.licenses.delete(license.id);
  });
}
