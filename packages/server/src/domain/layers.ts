import { rm } from 'node:fs/promises';
import { isKnownCrs } from '../geo/gdal.js';
import type { Bbox } from '../geo/crop.js';
import { addItemRecord, removeRecordFiles } from './item-records.js';
import { draftText } from './record-snapshots.js';
import type { Layer, LayerListMode, LayerType, LayerView, NewVersion, Version } from './model/layers.js';
import type { Repositories } from './ports/store.js';
import type { Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { assertLicenseExists } from './licenses.js';
import { absolute, dataPaths } from './data-paths.js';
import { indexLayer } from './catalog.js';
import { createPublish, type PublishDetail } from './publishing.js';
import { conflict, invalidInput, notFound } from './errors.js';
import { asSeenBy, assertMaySeeUnpublished, authorizeItem, effectiveLevel, resolveOwningGroup, visibilityFor, type ItemRef } from './item-access.js';
import { publishedOnly, type ListQuery, type ListResult } from './list-query.js';
import { atLeast, type PermissionLevel } from './policies/items.js';

export const importJobKind = 'import-version';

export interface VersionMetadataInput {
  title?: string;
  description?: string;
  tags?: string[];
  categories?: string[];
  license?: number | null;
}

export interface LayerDataInput {
  datasources: number[];
  crs?: string | null;
  primary_key_fields?: string[];
}

export interface CreateLayerInput extends VersionMetadataInput {
  title: string;
  group?: number;
  data: LayerDataInput;
}

const what = (type: LayerType, id: number) => `${type === 'table' ? 'Table' : 'Layer'} ${id}`;

/**
 * Whether a route of `type` reaches a layer of `actual` type. The `type` the functions here take
 * is the collection a request came through: `layer` is `/layers/`, which reaches layers and
 * tables alike (Koordinates' Layers & Tables API, and the Python client's `Table = Layer`);
 * `table` is `/tables/`, the tables-only view.
 */
export const reaches = (type: LayerType, actual: LayerType | undefined): boolean => actual !== undefined && (type === 'layer' || actual === type);

/** The layer, if the actor holds `level` on it (404 if they may not view it, 403 if they may view only). */
export async function authorizedLayer(ctx: DomainContext, actor: Actor, type: LayerType, id: number, level: PermissionLevel): Promise<Layer & { level: PermissionLevel }> {
  const layer = await ctx.store.layers.findLayer(id);
  const held = await authorizeItem(ctx, actor, layer && reaches(type, layer.type) ? { kind: 'layer', id, group_id: layer.group_id } : undefined, level, what(type, id));
  return { ...layer!, level: held };
}

async function layerVersion(ctx: DomainContext, versionId: number): Promise<LayerView> {
  const row = await ctx.store.layers.findLayerVersion(versionId);
  if (!row) throw notFound(`Version ${versionId}`);
  return row;
}

/**
 * Checks the datasources and CRS of new layer data, as the actor may use them, and answers the
 * type of layer the datasource makes (a table datasource makes a table). `type` is the route's
 * (see `reaches`): `/tables/` takes table datasources only; `/layers/` takes both, unless
 * `keep` (an existing layer's type, which new data can't change) says which.
 */
async function checkData(ctx: DomainContext, actor: Actor, type: LayerType, data: LayerDataInput, keep?: LayerType): Promise<LayerType> {
  if (data.datasources.length !== 1) {
    throw invalidInput('data.datasources', 'give exactly one datasource; Mapshelf imports one datasource per layer');
  }
  const id = data.datasources[0]!;
  const datasource = await ctx.store.sources.findDatasource(id);
  const source = datasource && !datasource.removed_at ? await ctx.store.sources.findById(datasource.source_id) : undefined;
  try {
    await authorizeItem(ctx, actor, source && { kind: 'source', id: source.id, group_id: source.group_id }, 'view', `Datasource ${id}`);
  } catch {
    // Someone else's datasource reads as missing, so ids can't be probed.
    throw invalidInput('data.datasources[0]', `no datasource you can use has id ${id}`);
  }
  const dataType: string = datasource!.data_type;
  if (dataType !== 'vector' && dataType !== 'table') {
    throw invalidInput('data.datasources[0]', `datasource ${id} is ${dataType} data; Mapshelf makes layers of vector data and tables of tables`);
  }
  const made: LayerType = dataType === 'table' ? 'table' : 'layer';
  if (keep !== undefined && made !== keep) {
    throw invalidInput('data.datasources[0]', `datasource ${id} is a ${dataType}; this ${keep} needs ${keep === 'table' ? 'a table' : 'a vector'} datasource (its kind can't change)`);
  }
  if (type === 'table' && made !== 'table') {
    throw invalidInput('data.datasources[0]', `datasource ${id} is a vector; /tables/ takes tables only; create it under /layers/`);
  }
  if (data.crs != null && !isKnownCrs(data.crs)) throw invalidInput('data.crs', `"${data.crs}" is not a CRS GDAL knows; use EPSG:xxxx`);
  if (made === 'layer' && !datasource!.crs && !datasource!.crs_wkt && !data.crs) {
    throw invalidInput('data.crs', missingCrsAdvice(id, datasource!.extent));
  }
  return made;
}

/**
 * What to say when data has no CRS. Without one its extent is in the file's own units, so
 * coordinates outside longitude/latitude ranges are projected: EPSG:4326 would be wrong for them.
 */
function missingCrsAdvice(id: number, extent: Bbox | null): string {
  const lonLat = extent !== null && extent.length === 4 && extent[0] >= -180 && extent[2] <= 180 && extent[1] >= -90 && extent[3] <= 90;
  if (lonLat || extent === null) {
    return `datasource ${id} has no CRS; give one, e.g. "crs": "EPSG:4326" if its coordinates are longitude/latitude in degrees`;
  }
  const box = extent.map((n) => Number(n.toPrecision(7))).join(', ');
  return `datasource ${id} has no CRS and its coordinates (${box}) look projected, not longitude/latitude; give the EPSG code of the data's projected CRS (its metadata or its supplier says which), e.g. "crs": "EPSG:xxxx"`;
}

/** Adds a queued import of a version to the job table (in the caller's transaction). */
async function queueImport(repos: Repositories, versionId: number, at: string): Promise<void> {
  const jobId = await repos.jobs.enqueue({ kind: importJobKind, payload: { versionId }, runAt: at, maxAttempts: 3 }, at);
  await repos.layers.updateVersion(versionId, { status: 'queued', progress: 0, error: null, job_id: jobId, updated_at: at });
}

function versionRow(layerId: number, number: number, at: string, actorId: number, from: Partial<Version>): NewVersion {
  return {
    layer_id: layerId,
    number,
    status: 'queued' as const,
    title: from.title ?? '',
    description: from.description ?? '',
    tags: from.tags ?? [],
    categories: from.categories ?? [],
    license_id: from.license_id ?? null,
    datasources: from.datasources ?? [],
    requested_crs: from.requested_crs ?? null,
    crs: from.crs ?? null,
    geometry_type: from.geometry_type ?? null,
    geometry_field: from.geometry_field ?? null,
    fields: from.fields ?? [],
    primary_key_fields: from.primary_key_fields ?? [],
    feature_count: from.feature_count ?? null,
    extent: from.extent ?? null,
    data_file: from.data_file ?? null,
    progress: 0,
    import_log: '',
    created_by: actorId,
    created_at: at,
    updated_at: at,
  };
}

const actorId = (actor: Actor) => (actor.kind === 'user' ? actor.user.id : 0);

/** Creates a layer (or, from a table datasource, a table) and its first version, and queues the import. */
export async function createLayer(ctx: DomainContext, actor: Actor, type: LayerType, input: CreateLayerInput): Promise<LayerView> {
  const groupId = await resolveOwningGroup(ctx, actor, input.group, 'group');
  const made = await checkData(ctx, actor, type, input.data);
  await assertLicenseExists(ctx, input.license);
  const at = timestamp(ctx);
  const versionId = await ctx.store.transaction(async (repos) => {
    const layer = await repos.layers.createLayer({
      type: made,
      group_id: groupId,
      owner_id: actorId(actor),
      published_version_id: null,
      first_published_at: null,
      created_at: at,
      updated_at: at,
    });
    await addItemRecord(repos, made, layer);
    const version = await repos.layers.createVersion(
      versionRow(layer.id, 1, at, actorId(actor), {
        title: input.title,
        description: input.description ?? '',
        tags: input.tags ?? [],
        categories: input.categories ?? [],
        license_id: input.license ?? null,
        datasources: input.data.datasources,
        requested_crs: input.data.crs ?? null,
        primary_key_fields: input.data.primary_key_fields ?? [],
      }),
    );
    await queueImport(repos, version.id, at);
    return version.id;
  });
  const row = await layerVersion(ctx, versionId);
  ctx.jobs.wake(); // after the read, as in answerThenImport
  await indexLayer(ctx, row.layer_id);
  return row;
}

export async function listLayers(
  ctx: DomainContext,
  actor: Actor,
  type: LayerType,
  mode: LayerListMode,
  query: ListQuery,
): Promise<ListResult<LayerView>> {
  const visibility = visibilityFor(actor, mode === 'published' ? 'view' : 'edit');
  const result = await ctx.store.layers.list(type, mode, query, visibility);
  // Drafts are listed to their editors only; published layers may be listed to readers who must not learn of a draft.
  if (mode !== 'published' || visibility.all) return result;
  const items = await Promise.all(result.items.map(async (row) => asSeenBy(row, await effectiveLevel(ctx, actor, layerRef(row)))));
  return { ...result, items };
}

const layerRef = (row: LayerView): ItemRef => ({ kind: 'layer', id: row.layer_id, group_id: row.group_id });

/** A layer version row as the actor sees it (see `asSeenBy`). */
export async function layerAsSeenBy(ctx: DomainContext, actor: Actor, row: LayerView): Promise<LayerView> {
  return asSeenBy(row, await effectiveLevel(ctx, actor, layerRef(row)));
}

/** A layer through its published version, or (for its editors) its latest one if it was never published. */
export async function getLayer(ctx: DomainContext, actor: Actor, type: LayerType, id: number): Promise<LayerView> {
  const layer = await authorizedLayer(ctx, actor, type, id, 'view');
  if (layer.published_version_id !== null) return asSeenBy(await layerVersion(ctx, layer.published_version_id), layer.level);
  assertMaySeeUnpublished(layer.level, what(type, id));
  return layerVersion(ctx, (await ctx.store.layers.latestVersion(id))!.id);
}

export type VersionRef = number | 'draft' | 'published';

export async function getVersion(ctx: DomainContext, actor: Actor, type: LayerType, layerId: number, ref: VersionRef): Promise<LayerView> {
  const layer = await authorizedLayer(ctx, actor, type, layerId, 'view');
  let versionId: number | null;
  if (ref === 'published') versionId = layer.published_version_id;
  else if (ref === 'draft') {
    const latest = (await ctx.store.layers.latestVersion(layerId))!;
    versionId = latest.published_at === null ? latest.id : null;
  } else versionId = ref;
  const row = versionId === null ? undefined : await ctx.store.layers.findLayerVersion(versionId);
  const missing = `${ref === 'draft' ? 'A draft' : ref === 'published' ? 'A published version' : `Version ${ref}`} of ${what(type, layerId).toLowerCase()}`;
  if (!row || row.layer_id !== layerId) throw notFound(missing);
  if (row.published_at === null) assertMaySeeUnpublished(layer.level, missing);
  return asSeenBy(row, layer.level);
}

/** A layer's versions: all of them for its editors, the published ones for everyone else. */
export async function listVersions(ctx: DomainContext, actor: Actor, type: LayerType, layerId: number, query: ListQuery): Promise<ListResult<LayerView>> {
  const layer = await authorizedLayer(ctx, actor, type, layerId, 'view');
  if (atLeast(layer.level, 'edit')) return ctx.store.layers.listVersions(layerId, query);
  const result = await ctx.store.layers.listVersions(layerId, publishedOnly(query));
  return { ...result, items: result.items.map((row) => asSeenBy(row, layer.level)) };
}

async function assertNoDraft(repos: Pick<Repositories, 'layers'>, layerId: number): Promise<Version> {
  const latest = (await repos.layers.latestVersion(layerId))!;
  if (latest.published_at === null) {
    throw conflict(`Layer ${layerId} has a draft already (version ${latest.id}); publish, import or delete it first.`);
  }
  return latest;
}

/**
 * A new draft copying the latest version. Without `reimport` it shares the latest data file
 * (files never change, so sharing is safe); with it, the datasources are imported again.
 */
export async function createDraft(ctx: DomainContext, actor: Actor, type: LayerType, layerId: number, reimport: boolean): Promise<LayerView> {
  await authorizedLayer(ctx, actor, type, layerId, 'edit');
  const at = timestamp(ctx);
  // Checked inside the transaction, so of concurrent requests exactly one makes the draft.
  const versionId = await ctx.store.transaction(async (repos) => {
    const latest = await assertNoDraft(repos, layerId);
    const copy = versionRow(layerId, latest.number + 1, at, actorId(actor), { ...latest, ...(await draftText(repos, { kind: 'layer', id: layerId }, latest)) });
    const version = await repos.layers.createVersion(
      reimport ? copy : { ...copy, status: latest.status, change_counts: { added: 0, updated: 0, deleted: 0 }, progress: 1 },
    );
    if (reimport) await queueImport(repos, version.id, at);
    return version.id;
  });
  await indexLayer(ctx, layerId);
  return answerThenImport(ctx, versionId, reimport);
}

/**
 * The version as this request left it, read before the import is woken: a small import could
 * otherwise finish between the write and the read, and a re-import answer `ok` as if it had not
 * begun. (Another worker process may still take it at once; the answer is then merely newer.)
 */
async function answerThenImport(ctx: DomainContext, versionId: number, importing: boolean): Promise<LayerView> {
  const view = await layerVersion(ctx, versionId);
  if (importing) ctx.jobs.wake();
  return view;
}

async function draftVersion(ctx: DomainContext, actor: Actor, type: LayerType, layerId: number, versionId: number): Promise<LayerView> {
  await authorizedLayer(ctx, actor, type, layerId, 'edit');
  const row = await getVersion(ctx, actor, type, layerId, versionId);
  if (row.published_at !== null) throw conflict(`Version ${versionId} is published; published versions never change. Create a new version.`);
  return row;
}

/** Publishes one version of a layer (a publish request of one item); answers the request. */
export async function publishLayerVersion(ctx: DomainContext, actor: Actor, type: LayerType, layerId: number, versionId: number): Promise<PublishDetail> {
  await authorizedLayer(ctx, actor, type, layerId, 'edit');
  const row = await getVersion(ctx, actor, type, layerId, versionId);
  return createPublish(ctx, actor, { items: [{ kind: 'version', id: row.id }], publish_strategy: 'together', error_strategy: 'abort' });
}

/** Imports a draft version again from its datasources. */
export async function importVersion(ctx: DomainContext, actor: Actor, type: LayerType, layerId: number, versionId: number): Promise<LayerView> {
  const row = await draftVersion(ctx, actor, type, layerId, versionId);
  if (row.status === 'queued' || row.status === 'importing') throw conflict(`Version ${versionId} is importing already.`);
  await ctx.store.transaction((repos) => queueImport(repos, versionId, timestamp(ctx)));
  await indexLayer(ctx, layerId);
  return answerThenImport(ctx, versionId, true);
}

/** Edits a draft's metadata; new `data` re-imports it. */
export async function updateVersion(
  ctx: DomainContext,
  actor: Actor,
  type: LayerType,
  layerId: number,
  versionId: number,
  input: VersionMetadataInput & { data?: LayerDataInput },
): Promise<LayerView> {
  const row = await draftVersion(ctx, actor, type, layerId, versionId);
  if (input.data) {
    if (row.status === 'queued' || row.status === 'importing') throw conflict(`Version ${versionId} is importing; wait for it before changing its data.`);
    await checkData(ctx, actor, type, input.data, row.layer_type);
  }
  await assertLicenseExists(ctx, input.license);
  const at = timestamp(ctx);
  await ctx.store.transaction(async (repos) => {
    await repos.layers.updateVersion(versionId, {
      ...(input.title !== undefined && { title: input.title }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.tags !== undefined && { tags: input.tags }),
      ...(input.categories !== undefined && { categories: input.categories }),
      ...(input.license !== undefined && { license_id: input.license }),
      ...(input.data && {
        datasources: input.data.datasources,
        requested_crs: input.data.crs ?? null,
        primary_key_fields: input.data.primary_key_fields ?? [],
      }),
      updated_at: at,
    });
    if (input.data) await queueImport(repos, versionId, at);
  });
  await indexLayer(ctx, layerId);
  return answerThenImport(ctx, versionId, input.data !== undefined);
}

async function removeUnsharedFile(ctx: DomainContext, layerId: number, file: string | null): Promise<void> {
  if (file && !(await ctx.store.layers.versionFiles(layerId)).includes(file)) await rm(absolute(ctx.dataDir, file), { force: true });
}

/** Deletes a draft version (never a published one, nor a layer's only version). */
export async function deleteVersion(ctx: DomainContext, actor: Actor, type: LayerType, layerId: number, versionId: number): Promise<void> {
  const row = await draftVersion(ctx, actor, type, layerId, versionId);
  const { total } = await ctx.store.layers.listVersions(layerId, { offset: 0, limit: 1, filters: [], sort: [] });
  if (total <= 1) throw conflict('This is the only version; delete the layer instead.');
  if (row.job_id) await ctx.jobs.cancel(row.job_id);
  await ctx.store.layers.deleteVersion(versionId);
  await removeUnsharedFile(ctx, layerId, row.data_file);
  await indexLayer(ctx, layerId);
}

/** Deletes a layer with all its versions and files. */
export async function deleteLayer(ctx: DomainContext, actor: Actor, type: LayerType, layerId: number): Promise<void> {
  const layer = await authorizedLayer(ctx, actor, type, layerId, 'edit');
  const versions = await ctx.store.layers.listVersions(layerId, { offset: 0, limit: 10_000, filters: [], sort: [] });
  for (const v of versions.items) if (v.job_id && (v.status === 'queued' || v.status === 'importing')) await ctx.jobs.cancel(v.job_id);
  await ctx.store.transaction(async (repos) => {
    await repos.layers.deleteLayer(layerId);
    await repos.permissions.clear('layer', layerId);
  });
  await indexLayer(ctx, layerId);
  await rm(absolute(ctx.dataDir, dataPaths.layerFolder(layerId)), { recursive: true, force: true });
  await removeRecordFiles(ctx, layer.uid);
}
