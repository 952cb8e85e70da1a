/**
 * Workgroups' specifications: what their records may state conformity to. Members of the
 * workgroup (and its applications) read them; its admins and editors change them.
 */
import type { Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { checkedWebLink } from './web-links.js';
import { invalidInput, notFound } from './errors.js';
import type { Group } from './model/groups.js';
import type { Specification, SpecificationPatch } from './model/specifications.js';
import { keptByWorkgroup, mayChangeKept, seesWorkgroup } from './workgroups.js';

export interface SpecificationInput {
  name?: string;
  link?: string | null;
  published?: string | null;
}

/** `2014-12-10`, `2014-12-10T00:00:00` or an ISO date-time with a zone → `2014-12-10T00:00:00`. */
function checkPublished(published: string | null): string | null {
  if (published === null || published.trim() === '') return null;
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(published.trim());
  if (!match || Number.isNaN(Date.parse(`${match[1]}T${match[2] ?? '00:00:00'}Z`))) throw invalidInput('published', 'must be a date, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS');
  return `${match[1]}T${match[2] ?? '00:00:00'}`;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 500) throw invalidInput('name', 'must be 1 to 500 characters');
  return trimmed;
}

export async function listSpecifications(ctx: DomainContext, actor: Actor, group: Group): Promise<Specification[]> {
  if (!seesWorkgroup(actor, group)) throw notFound(`Workgroup ${group.uid}`);
  return ctx.store.specifications.listForGroup(group.id);
}

export async function getSpecification(ctx: DomainContext, actor: Actor, uid: string): Promise<{ item: Specification; group: Group }> {
  return keptByWorkgroup(ctx, actor, await ctx.store.specifications.findByUid(uid), `Specification ${uid}`);
}

export async function createSpecification(ctx: DomainContext, actor: Actor, group: Group, input: SpecificationInput): Promise<Specification> {
  mayChangeKept(actor, group, 'specifications');
  if (input.name === undefined) throw invalidInput('name', 'is required');
  const at = timestamp(ctx);
  return ctx.store.specifications.create({
    group_id: group.id,
    name: checkName(input.name),
    link: checkedWebLink('link', input.link ?? null),
    published: checkPublished(input.published ?? null),
    created_at: at,
    updated_at: at,
  });
}

async function specificationOf(ctx: DomainContext, actor: Actor, group: Group, uid: string): Promise<Specification> {
  const specification = await ctx.store.specifications.findByUid(uid);
  mayChangeKept(actor, group, 'specifications', specification, `Specification ${uid}`);
  return specification!;
}

export async function updateSpecification(ctx: DomainContext, actor: Actor, group: Group, uid: string, input: SpecificationInput): Promise<Specification> {
  const specification = await specificationOf(ctx, actor, group, uid);
  const patch: SpecificationPatch = { updated_at: timestamp(ctx) };
  if (input.name !== undefined) patch.name = checkName(input.name);
  if (input.link !== undefined) patch.link = checkedWebLink('link', input.link);
  if (input.published !== undefined) patch.published = checkPublished(input.published);
  return ctx.store.specifications.update(specification.id, patch);
}

export async function deleteSpecification(ctx: DomainContext, actor: Actor, group: Group, uid: string): Promise<void> {
  const specification = await specificationOf(ctx, actor, group, uid);
  // Records that stated conformity to it no longer do.
  await ctx.store.transaction(async (repos) => {
    await repos.records.deleteReferring('conformity', specification.uid);
    await repos.specifications.delete(specification.id);
  });
}
