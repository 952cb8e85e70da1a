/**
 * Workgroups' catalogs: named selections of their records, which shares will open to
 * applications, other workgroups and anyone with a link. Members of the workgroup read them;
 * its admins and editors change them and put records in them. A `scan` catalog also takes the
 * record of every layer, table, set and document the workgroup gets.
 */
import type { Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { conflict, invalidInput, notFound } from './errors.js';
import type { Group } from './model/groups.js';
import type { RecordCatalog, RecordCatalogPatch } from './model/record-catalogs.js';
import { recordView } from './records.js';
import { keptByWorkgroup, mayChangeKept, seesWorkgroup } from './workgroups.js';

export interface RecordCatalogInput {
  code?: string;
  name?: string;
  scan?: boolean;
}

function checkCode(code: string): string {
  const trimmed = code.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9_-]{0,99}$/.test(trimmed)) throw invalidInput('code', 'must be 1 to 100 lower-case letters, digits, - and _, starting with a letter or digit');
  return trimmed;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 500) throw invalidInput('name', 'must be 1 to 500 characters');
  return trimmed;
}

export async function listRecordCatalogs(ctx: DomainContext, actor: Actor, group: Group): Promise<RecordCatalog[]> {
  if (!seesWorkgroup(actor, group)) throw notFound(`Workgroup ${group.uid}`);
  return ctx.store.recordCatalogs.listForGroup(group.id);
}

export async function getRecordCatalog(ctx: DomainContext, actor: Actor, uid: string): Promise<{ item: RecordCatalog; group: Group }> {
  return keptByWorkgroup(ctx, actor, await ctx.store.recordCatalogs.findByUid(uid), `Catalog ${uid}`);
}

/** A catalog as `groups/{wg}/catalogs/{id}/` names it: missing when it is another workgroup's. */
export async function getWorkgroupCatalog(ctx: DomainContext, actor: Actor, group: Group, uid: string): Promise<RecordCatalog> {
  const found = await getRecordCatalog(ctx, actor, uid);
  if (found.group.id !== group.id) throw notFound(`Catalog ${uid} in workgroup ${group.uid}`);
  return found.item;
}

async function assertCodeFree(ctx: DomainContext, group: Group, code: string, except?: number): Promise<void> {
  const taken = await ctx.store.recordCatalogs.findByCode(group.id, code);
  if (taken && taken.id !== except) throw conflict(`Workgroup ${group.uid} has a catalog with the code ${code} already (${taken.uid}).`);
}

export async function createRecordCatalog(ctx: DomainContext, actor: Actor, group: Group, input: RecordCatalogInput): Promise<RecordCatalog> {
  mayChangeKept(actor, group, 'catalogs');
  if (input.name === undefined) throw invalidInput('name', 'is required');
  const name = checkName(input.name);
  const code = checkCode(input.code ?? name.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100));
  await assertCodeFree(ctx, group, code);
  const at = timestamp(ctx);
  return ctx.store.recordCatalogs.create({ group_id: group.id, code, name, scan: input.scan ?? false, created_at: at, updated_at: at });
}

async function catalogOf(ctx: DomainContext, actor: Actor, group: Group, uid: string): Promise<RecordCatalog> {
  const catalog = await ctx.store.recordCatalogs.findByUid(uid);
  mayChangeKept(actor, group, 'catalogs', catalog, `Catalog ${uid}`);
  return catalog!;
}

export async function updateRecordCatalog(ctx: DomainContext, actor: Actor, group: Group, uid: string, input: RecordCatalogInput): Promise<RecordCatalog> {
  const catalog = await catalogOf(ctx, actor, group, uid);
  const patch: RecordCatalogPatch = { updated_at: timestamp(ctx) };
  if (input.name !== undefined) patch.name = checkName(input.name);
  if (input.code !== undefined) {
    patch.code = checkCode(input.code);
    await assertCodeFree(ctx, group, patch.code, catalog.id);
  }
  if (input.scan !== undefined) patch.scan = input.scan;
  return ctx.store.recordCatalogs.update(catalog.id, patch);
}

export async function deleteRecordCatalog(ctx: DomainContext, actor: Actor, group: Group, uid: string): Promise<void> {
  await ctx.store.recordCatalogs.delete((await catalogOf(ctx, actor, group, uid)).id);
}

/** How many records each catalog holds, for `_include=count`. */
export async function catalogRecordCounts(ctx: DomainContext, catalogs: readonly RecordCatalog[]): Promise<Map<string, number>> {
  const counts = await ctx.store.recordCatalogs.recordCounts(catalogs.map((c) => c.id));
  return new Map(catalogs.map((c) => [c.uid, counts.get(c.id) ?? 0]));
}

/**
 * The catalog and the record, for putting one in the other: the catalog's workgroup's admins
 * and editors, a record of that workgroup they can edit. Either missing to them is a 404.
 */
async function catalogAndRecord(ctx: DomainContext, actor: Actor, catalogUid: string, recordUid: string) {
  const { item: catalog, group } = await getRecordCatalog(ctx, actor, catalogUid);
  mayChangeKept(actor, group, 'catalogs');
  const view = await recordView(ctx, actor, recordUid, 'edit');
  if (view.record.group_id !== group.id) throw notFound(`Resource ${recordUid} in workgroup ${group.uid}`);
  return { catalog, record: view.record };
}

/** Puts a record in a catalog; false when it was there already. */
export async function addToCatalog(ctx: DomainContext, actor: Actor, catalogUid: string, recordUid: string): Promise<boolean> {
  const { catalog, record } = await catalogAndRecord(ctx, actor, catalogUid, recordUid);
  return ctx.store.recordCatalogs.addRecord(catalog.id, record.id, timestamp(ctx));
}

/** Takes a record out of a catalog; a 404 when it was not in it. */
export async function removeFromCatalog(ctx: DomainContext, actor: Actor, catalogUid: string, recordUid: string): Promise<void> {
  const { catalog, record } = await catalogAndRecord(ctx, actor, catalogUid, recordUid);
  if (!(await ctx.store.recordCatalogs.removeRecord(catalog.id, record.id))) throw notFound(`Resource ${recordUid} in catalog ${catalogUid}`);
}

/** The catalogs a record is in, for its readers. */
export async function catalogsOfRecord(ctx: DomainContext, actor: Actor, recordUid: string): Promise<{ catalogs: RecordCatalog[]; group: Group }> {
  const view = await recordView(ctx, actor, recordUid);
  const all = await ctx.store.recordCatalogs.listForRecord(view.record.id);
  if (seesWorkgroup(actor, view.group)) return { catalogs: all, group: view.group };
  // A reader through a share sees the catalogs shares open to them, not the workgroup's others.
  const shares =
    actor.kind === 'application'
      ? await ctx.store.shares.listFor({ application: actor.application.id })
      : await ctx.store.shares.listFor({ openTo: actor.kind === 'user' ? actor.memberships.map((m) => m.group_id) : [] });
  const opened = new Set((await Promise.all(shares.map((share) => ctx.store.shares.members(share.id, 'catalogs')))).flat());
  return { catalogs: all.filter((catalog) => opened.has(catalog.id)), group: view.group };
}
