import { addItemRecord, removeRecordFiles } from './item-records.js';
import { fillItemRecord } from './record-import.js';
import { draftText } from './record-snapshots.js';
import { itemRecordExtras } from './record-iso.js';
import type { DocumentItem } from './model/documents.js';
import type { LayerView } from './model/layers.js';
import type { SetItemType, SetListMode, SetVersion, SetVersionPatch, SetView } from './model/sets.js';
import type { Actor } from './actor.js';
import { indexSet, setExtent } from './catalog.js';
import { timestamp, type DomainContext } from './context.js';
import { assertLicenseExists } from './licenses.js';
import { conflict, invalidInput, notFound } from './errors.js';
import { asSeenBy, assertMaySeeUnpublished, authorizeItem, effectiveLevel, resolveOwningGroup, visibilityFor, type ItemRef } from './item-access.js';
import { publishedOnly, type ListQuery, type ListResult } from './list-query.js';
import { metadataDocument, readUploadedMetadata, type MetadataForm, type MetadataRecord, type SchemaWarning } from './metadata/index.js';
import { atLeast, type PermissionLevel } from './policies/items.js';
import { createPublish, type PublishDetail } from './publishing.js';

export interface SetItemInput {
  item_type: SetItemType;
  item_id: number;
}

export interface SetInput {
  title?: string;
  description?: string;
  tags?: string[];
  categories?: string[];
  license?: number | null;
  items?: SetItemInput[];
  settings?: Record<string, unknown>;
}

/** One item of a set as a caller sees it: a layer or table (through its current version), or a document. */
export type VisibleSetItem =
  | { item_type: 'layer' | 'table'; item_id: number; layer: LayerView }
  | { item_type: 'document'; item_id: number; document: DocumentItem };

export type SetVersionRef = number | 'draft' | 'published' | 'current';

export const maxSetItems = 1000;

const actorId = (actor: Actor) => (actor.kind === 'user' ? actor.user.id : 0);

async function authorizedSet(ctx: DomainContext, actor: Actor, setId: number, level: PermissionLevel) {
  const set = await ctx.store.sets.findSet(setId);
  const held = await authorizeItem(ctx, actor, set && { kind: 'set', id: set.id, group_id: set.group_id }, level, `Set ${setId}`);
  return { ...set!, level: held };
}

/**
 * An item a set may refer to, as access checks see it, with what a caller is shown of it and
 * the level that takes: `view` once published, `edit` for a layer never published.
 */
async function resolveItem(ctx: DomainContext, type: SetItemType, id: number): Promise<{ ref: ItemRef; item: VisibleSetItem; needs: PermissionLevel } | undefined> {
  if (type === 'document') {
    const document = await ctx.store.documents.findById(id);
    return document && { ref: { kind: 'document', id, group_id: document.group_id }, item: { item_type: type, item_id: id, document }, needs: 'view' };
  }
  const layer = await ctx.store.layers.findLayer(id);
  if (layer?.type !== type) return undefined;
  const versionId = layer.published_version_id ?? (await ctx.store.layers.latestVersion(id))!.id;
  const row = (await ctx.store.layers.findLayerVersion(versionId))!;
  return { ref: { kind: 'layer', id, group_id: layer.group_id }, item: { item_type: type, item_id: id, layer: row }, needs: row.published_at === null ? 'edit' : 'view' };
}

async function maySee(ctx: DomainContext, actor: Actor, type: SetItemType, id: number): Promise<VisibleSetItem | undefined> {
  const resolved = await resolveItem(ctx, type, id);
  if (!resolved) return undefined;
  const level = await effectiveLevel(ctx, actor, resolved.ref);
  if (!atLeast(level, resolved.needs)) return undefined;
  return 'layer' in resolved.item ? { ...resolved.item, layer: asSeenBy(resolved.item.layer, level) } : resolved.item;
}

/** Checks new items: no repeats, and each one an item the actor may view. */
async function checkItems(ctx: DomainContext, actor: Actor, items: readonly SetItemInput[]): Promise<void> {
  if (items.length > maxSetItems) throw invalidInput('items', `a set holds at most ${maxSetItems} items`);
  const seen = new Set<string>();
  for (const [index, item] of items.entries()) {
    const key = `${item.item_type}.${item.item_id}`;
    if (seen.has(key)) throw invalidInput(`items[${index}]`, `${item.item_type} ${item.item_id} is listed twice`);
    seen.add(key);
    // Items the actor can't see read as missing, so a set can't be used to probe ids.
    if (!(await maySee(ctx, actor, item.item_type, item.item_id))) {
      throw invalidInput(`items[${index}]`, `no ${item.item_type} you can see has id ${item.item_id}`);
    }
  }
}

async function setVersion(ctx: DomainContext, versionId: number): Promise<SetView> {
  const row = await ctx.store.sets.findSetVersion(versionId);
  if (!row) throw notFound(`Set version ${versionId}`);
  return row;
}

function versionFields(input: SetInput, at: string): SetVersionPatch {
  return {
    ...(input.title !== undefined && { title: input.title }),
    ...(input.description !== undefined && { description: input.description }),
    ...(input.tags !== undefined && { tags: input.tags }),
    ...(input.categories !== undefined && { categories: input.categories }),
    ...(input.license !== undefined && { license_id: input.license }),
    ...(input.settings !== undefined && { settings: input.settings }),
    updated_at: at,
  };
}

/** Creates a set with a first, draft version. Its items must be ones the actor may view. */
export async function createSet(ctx: DomainContext, actor: Actor, input: SetInput & { title: string; group?: number }): Promise<SetView> {
  const groupId = await resolveOwningGroup(ctx, actor, input.group, 'group');
  await checkItems(ctx, actor, input.items ?? []);
  await assertLicenseExists(ctx, input.license);
  const at = timestamp(ctx);
  const versionId = await ctx.store.transaction(async (repos) => {
    const set = await repos.sets.createSet({ group_id: groupId, owner_id: actorId(actor), published_version_id: null, first_published_at: null, created_at: at, updated_at: at });
    await addItemRecord(repos, 'set', set);
    const version = await repos.sets.createVersion({
      set_id: set.id,
      number: 1,
      title: input.title,
      description: input.description ?? '',
      tags: input.tags ?? [],
      categories: input.categories ?? [],
      license_id: input.license ?? null,
      settings: input.settings ?? {},
      created_by: actorId(actor),
      created_at: at,
      updated_at: at,
      published_at: null,
    });
    await repos.sets.replaceItems(version.id, input.items ?? []);
    return version.id;
  });
  const row = await setVersion(ctx, versionId);
  await indexSet(ctx, row.set_id);
  return row;
}

export async function listSets(ctx: DomainContext, actor: Actor, mode: SetListMode, query: ListQuery): Promise<ListResult<SetView>> {
  const visibility = visibilityFor(actor, mode === 'published' ? 'view' : 'edit');
  const result = await ctx.store.sets.list(mode, query, visibility);
  if (mode !== 'published' || visibility.all) return result;
  const items = await Promise.all(result.items.map((row) => setAsSeenBy(ctx, actor, row)));
  return { ...result, items };
}

/** A set version row as the actor sees it (see `asSeenBy`). */
export async function setAsSeenBy(ctx: DomainContext, actor: Actor, row: SetView): Promise<SetView> {
  return asSeenBy(row, await effectiveLevel(ctx, actor, { kind: 'set', id: row.set_id, group_id: row.group_id }));
}

export async function getSetVersion(ctx: DomainContext, actor: Actor, setId: number, ref: SetVersionRef): Promise<SetView> {
  const set = await authorizedSet(ctx, actor, setId, 'view');
  let versionId: number | null;
  if (ref === 'published') versionId = set.published_version_id;
  else if (ref === 'draft' || ref === 'current') {
    const latest = (await ctx.store.sets.latestVersion(setId))!;
    versionId = latest.published_at === null ? latest.id : null;
    if (ref === 'current') versionId = set.published_version_id ?? latest.id;
  } else versionId = ref;
  const row = versionId === null ? undefined : await ctx.store.sets.findSetVersion(versionId);
  const missing = `${ref === 'draft' ? 'A draft' : ref === 'published' ? 'A published version' : ref === 'current' ? 'A published version' : `Version ${ref}`} of set ${setId}`;
  if (!row || row.set_id !== setId) throw notFound(missing);
  if (row.published_at === null) assertMaySeeUnpublished(set.level, ref === 'current' ? `Set ${setId}` : missing);
  return asSeenBy(row, set.level);
}

/** A set through its published version, or its latest one if it was never published. */
export function getSet(ctx: DomainContext, actor: Actor, setId: number): Promise<SetView> {
  return getSetVersion(ctx, actor, setId, 'current');
}

/** A set's versions: all of them for its editors, the published ones for everyone else. */
export async function listSetVersions(ctx: DomainContext, actor: Actor, setId: number, query: ListQuery): Promise<ListResult<SetView>> {
  const set = await authorizedSet(ctx, actor, setId, 'view');
  if (atLeast(set.level, 'edit')) return ctx.store.sets.listVersions(setId, query);
  const result = await ctx.store.sets.listVersions(setId, publishedOnly(query));
  return { ...result, items: result.items.map((row) => asSeenBy(row, set.level)) };
}

/**
 * The items of a set version that the actor may view, in order. Items deleted since, or ones
 * the actor may not see, are left out, so a set never reveals them.
 */
export async function visibleSetItems(ctx: DomainContext, actor: Actor, version: SetVersion): Promise<VisibleSetItem[]> {
  const visible: VisibleSetItem[] = [];
  for (const item of await ctx.store.sets.items(version.id)) {
    const visibleItem = await maySee(ctx, actor, item.item_type, item.item_id);
    if (visibleItem) visible.push(visibleItem);
  }
  return visible;
}

/** A new draft copying the latest version, its items and its uploaded metadata. 409 if a draft exists. */
export async function createSetDraft(ctx: DomainContext, actor: Actor, setId: number, changes: SetInput = {}): Promise<SetView> {
  await authorizedSet(ctx, actor, setId, 'edit');
  const latest = (await ctx.store.sets.latestVersion(setId))!;
  if (latest.published_at === null) throw conflict(`Set ${setId} has a draft already (version ${latest.id}); publish or delete it first.`);
  if (changes.items) await checkItems(ctx, actor, changes.items);
  await assertLicenseExists(ctx, changes.license);
  const at = timestamp(ctx);
  const versionId = await ctx.store.transaction(async (repos) => {
    const { id: _id, ...copy } = latest;
    const text = await draftText(repos, { kind: 'set', id: setId }, latest);
    const version = await repos.sets.createVersion({ ...copy, ...text, ...versionFields(changes, at), number: latest.number + 1, created_by: actorId(actor), created_at: at, published_at: null });
    await repos.sets.replaceItems(version.id, changes.items ?? (await repos.sets.items(latest.id)));
    const metadata = await repos.sets.metadataDocument(latest.id);
    if (metadata) await repos.sets.putMetadataDocument({ ...metadata, set_version_id: version.id });
    return version.id;
  });
  await indexSet(ctx, setId);
  return setVersion(ctx, versionId);
}

async function draftOf(ctx: DomainContext, actor: Actor, setId: number, versionId: number): Promise<SetView> {
  await authorizedSet(ctx, actor, setId, 'edit');
  const row = await getSetVersion(ctx, actor, setId, versionId);
  if (row.published_at !== null) throw conflict(`Set version ${versionId} is published; published versions never change. Create a new version.`);
  return row;
}

/** Edits a draft version. */
export async function updateSetVersion(ctx: DomainContext, actor: Actor, setId: number, versionId: number, input: SetInput): Promise<SetView> {
  await draftOf(ctx, actor, setId, versionId);
  if (input.items) await checkItems(ctx, actor, input.items);
  await assertLicenseExists(ctx, input.license);
  await ctx.store.transaction(async (repos) => {
    await repos.sets.updateVersion(versionId, versionFields(input, timestamp(ctx)));
    if (input.items) await repos.sets.replaceItems(versionId, input.items);
  });
  await indexSet(ctx, setId);
  return setVersion(ctx, versionId);
}

/** Saves changes to a set: into its draft, or into a new draft when it has none. */
export async function saveSet(ctx: DomainContext, actor: Actor, setId: number, input: SetInput): Promise<SetView> {
  await authorizedSet(ctx, actor, setId, 'edit');
  const latest = (await ctx.store.sets.latestVersion(setId))!;
  return latest.published_at === null ? updateSetVersion(ctx, actor, setId, latest.id, input) : createSetDraft(ctx, actor, setId, input);
}

export async function deleteSetVersion(ctx: DomainContext, actor: Actor, setId: number, versionId: number): Promise<void> {
  await draftOf(ctx, actor, setId, versionId);
  if ((await ctx.store.sets.countVersions(setId)) <= 1) throw conflict('This is the only version; delete the set instead.');
  await ctx.store.sets.deleteVersion(versionId);
  await indexSet(ctx, setId);
}

export async function deleteSet(ctx: DomainContext, actor: Actor, setId: number): Promise<void> {
  const set = await authorizedSet(ctx, actor, setId, 'edit');
  await ctx.store.transaction(async (repos) => {
    await repos.sets.deleteSet(setId);
    await repos.permissions.clear('set', setId);
  });
  await indexSet(ctx, setId);
  await removeRecordFiles(ctx, set.uid);
}

/** Publishes a draft version at once (sets have nothing to import); answers the publish request. */
export async function publishSetVersion(ctx: DomainContext, actor: Actor, setId: number, versionId: number): Promise<PublishDetail> {
  await authorizedSet(ctx, actor, setId, 'edit');
  const row = await getSetVersion(ctx, actor, setId, versionId);
  return createPublish(ctx, actor, { items: [{ kind: 'set-version', id: row.id }], publish_strategy: 'together', error_strategy: 'abort' });
}

async function recordOf(ctx: DomainContext, row: SetView, setUrl: string, metadataUrl: string): Promise<MetadataRecord> {
  const group = (await ctx.store.groups.findById(row.group_id))!;
  const fromRecord = await itemRecordExtras(ctx, { kind: 'set', id: row.set_id }, { published: row.published_at !== null, ref: { set_version_id: row.id } }, group, (path) => `${metadataUrl}${path}`);
  const license = row.license_id === null ? undefined : await ctx.store.licenses.findById(row.license_id);
  return {
    fileIdentifier: `mapshelf:set:${row.set_id}:version:${row.id}`,
    title: row.title,
    abstract: row.description,
    kind: 'set',
    keywords: row.tags,
    categories: row.categories,
    created: row.set_created_at,
    updated: row.updated_at,
    published: row.published_at,
    extent: await setExtent(ctx, row.id),
    crs: null,
    geometryType: null,
    featureCount: null,
    fields: [],
    license: license ? { title: license.title, url: license.url } : null,
    contact: { organisation: group.name, email: null },
    url: setUrl,
    ...fromRecord?.extras,
  };
}

/** A set version's metadata document in one form. */
export async function getSetMetadata(ctx: DomainContext, actor: Actor, setId: number, ref: SetVersionRef, form: MetadataForm, setUrl: string, metadataUrl: string): Promise<string> {
  const row = await getSetVersion(ctx, actor, setId, ref);
  return metadataDocument(await ctx.store.sets.metadataDocument(row.id), form, () => recordOf(ctx, row, setUrl, metadataUrl));
}

/** Stores an uploaded ISO 19115/19139, FGDC or Dublin Core document on a draft version. */
export async function putSetMetadata(
  ctx: DomainContext,
  actor: Actor,
  setId: number,
  ref: number | 'draft',
  xml: string,
): Promise<{ format: string; warnings: SchemaWarning[]; version: SetView }> {
  await authorizedSet(ctx, actor, setId, 'edit');
  const target = await getSetVersion(ctx, actor, setId, ref);
  const row = await draftOf(ctx, actor, setId, target.id);
  const { format, warnings, iso } = await readUploadedMetadata(xml);
  const at = timestamp(ctx);
  // The draft may have been published while the schemas were checked: checked again with the write.
  await ctx.store.transaction(async (repos) => {
    if ((await repos.sets.findSetVersion(row.id))?.published_at !== null) {
      throw conflict(`Version ${row.id} is published; published versions never change. Create a new version.`);
    }
    await repos.sets.putMetadataDocument({ set_version_id: row.id, format, xml, created_at: at });
    // An ISO document fills the set's record too.
    if (iso) await fillItemRecord(repos, { kind: 'set', id: setId }, iso, at);
  });
  return { format, warnings, version: row };
}
