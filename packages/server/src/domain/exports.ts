import { stat } from 'node:fs/promises';
import { clipInSource, cropPolygonProblems, type Bbox, type CropPolygon } from '../geo/crop.js';
import { clipKeepsAny, dimensionOf } from '../geo/crop-sql.js';
import { describeArea, exportClip, type ExportClip } from '../geo/crs-area.js';
import { exportFormats, exportKinds, findExportFormat, type ExportFormat } from '../geo/export-formats.js';
import { isKnownCrs } from '../geo/gdal.js';
import type { Export, ExportItem } from './model/exports.js';
import type { LayerType, Version } from './model/layers.js';
import type { Actor } from './actor.js';
import { countUse } from './catalog.js';
import { findVisibleCropFeature } from './crop-layers.js';
import { versionLayerName } from '../geo/import.js';
import { timestamp, type DomainContext } from './context.js';
import { absolute } from './data-paths.js';
import { conflict, MapshelfError, notFound, type ErrorLocation } from './errors.js';
import { estimateZippedSize } from './export-size.js';
import { effectiveLevel } from './item-access.js';
import type { ListQuery, ListResult } from './list-query.js';
import { exportOwnerScope } from './policies/exports.js';
import { atLeast } from './policies/items.js';

export const exportJobKind = 'export';

/** Where an item URL points; the HTTP layer parses it. */
export interface ExportItemRef {
  type: LayerType;
  layerId: number;
  /** Null: the layer's published version. */
  versionId: number | null;
  /** The layer's public URL, written into the item's metadata. */
  layerUrl: string;
  /** The Metadata API's root URL, for the hosted files its record's links name. */
  metadataUrl: string;
}

export interface ExportItemInput {
  /** The item as the client gave it, for messages. */
  given: string;
  /** Null when `given` is not a layer, table or version URL. */
  ref: ExportItemRef | null;
  color?: string | null;
  tile_id?: string | null;
}

export type ExtentInput =
  | { geometry: unknown }
  | { cropFeature: { cropLayerId: number; featureId: number } | null; given: string }
  | null;

export interface ExportRequest {
  crs?: string | null;
  formats: Record<string, string>;
  items: ExportItemInput[];
  name?: string | null;
  extent: ExtentInput;
  options: Record<string, unknown>;
}

interface ExportPlan {
  name: string;
  crs: string | null;
  formats: Record<string, string>;
  items: ExportItem[];
  crop: CropPolygon | null;
  extent: unknown;
  options: Record<string, unknown>;
  sizeEstimate: number;
}

export interface ExportValidation {
  /** Every problem, with where it is in the input (relative: `items[0].item`, `crs`). */
  reasons: ErrorLocation[];
  /** What the export would do that the caller may not expect (data left out), with where (relative, as `reasons`). */
  warnings: ErrorLocation[];
  items: Array<{ given: string; reasons: string[]; warnings: string[] }>;
  sizeEstimate: number | null;
  plan: ExportPlan | null;
}

const pdfOptions = ['page_size', 'page_orientation', 'include_scale', 'include_scale_grid', 'include_lat_lon_grid', 'include_legend', 'pdf_raster_dpi'];
const colorPattern = /^#[0-9a-fA-F]{6}$/;

/** A name safe as a file name on every system: no separators, controls or reserved characters. */
export function sanitizeExportName(name: string): string {
  return name
    .normalize('NFC')
    .replace(/[\x00-\x1f\x7f/\\:*?"<>|]+/g, '-')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.-]+|[\s.]+$/g, '')
    .slice(0, 100)
    .trim();
}

/** `roads-of-new-zealand` from "Roads of New Zealand": ASCII letters, digits and dashes. */
function slugOf(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

const what = (type: LayerType, id: number) => `${type} ${id}`;

interface CheckedItem {
  item: ExportItem;
  /** Where in the request the item is. */
  index: number;
  version: Version;
  featureCount: number;
  fileSize: number;
  extent: Bbox | null;
  hasGeometry: boolean;
}

/** Checks one item: it exists for the actor, they may download it, and its version holds data. */
async function checkItem(ctx: DomainContext, actor: Actor, input: ExportItemInput, index: number): Promise<{ checked?: CheckedItem; reasons: string[] }> {
  const { ref } = input;
  if (!ref) return { reasons: [`"${input.given}" is not the URL of a layer, a table or one of their versions`] };
  const reasons: string[] = [];
  const layer = await ctx.store.layers.findLayer(ref.layerId);
  const level = layer && layer.type === ref.type ? await effectiveLevel(ctx, actor, { kind: 'layer', id: layer.id, group_id: layer.group_id }) : null;
  // Items the caller may not view read exactly like missing ones.
  if (!layer || !atLeast(level, 'view')) return { reasons: [`there is no ${what(ref.type, ref.layerId)} you can see`] };
  if (!atLeast(level, 'download')) return { reasons: [`you need download permission on ${what(ref.type, ref.layerId)}; you have ${level}`] };
  const versionId = ref.versionId ?? layer.published_version_id;
  if (versionId === null) return { reasons: [`${what(ref.type, ref.layerId)} has no published version; give the URL of the version to export`] };
  const version = await ctx.store.layers.findLayerVersion(versionId);
  if (!version || version.layer_id !== layer.id || (version.published_at === null && !atLeast(level, 'edit'))) {
    return { reasons: [`${what(ref.type, ref.layerId)} has no version ${versionId} you can see`] };
  }
  if (version.status !== 'ok' || !version.data_file) {
    return { reasons: [`version ${versionId} of ${what(ref.type, ref.layerId)} is ${version.status}; it can be exported once its import is ok`] };
  }
  if (input.tile_id != null) reasons.push(`tile_id applies to tiled datasets; ${what(ref.type, ref.layerId)} is not tiled`);
  if (input.color != null && !colorPattern.test(input.color)) reasons.push(`color must be 7 characters like #3399DD, not "${input.color}"`);
  if (reasons.length > 0) return { reasons };
  let fileSize = 0;
  try {
    fileSize = (await stat(absolute(ctx.dataDir, version.data_file))).size;
  } catch {
    return { reasons: [`the data of version ${versionId} of ${what(ref.type, ref.layerId)} is missing; re-import it`] };
  }
  return {
    reasons,
    checked: {
      item: {
        type: ref.type,
        layer_id: layer.id,
        version_id: version.id,
        pinned: ref.versionId !== null,
        kind: layer.type === 'table' ? 'table' : 'vector',
        title: version.title,
        base_name: '',
        layer_url: ref.layerUrl,
        metadata_url: ref.metadataUrl,
        color: input.color ?? null,
      },
      index,
      version,
      featureCount: version.feature_count ?? 0,
      fileSize,
      extent: version.extent,
      hasGeometry: version.geometry_type !== null,
    },
  };
}

/** Gives each item a unique base name: its title's slug, then with its id, then with its version. */
function assignBaseNames(items: ExportItem[]): void {
  const taken = new Set<string>();
  for (const item of items) {
    const slug = slugOf(item.title) || `${item.type}-${item.layer_id}`;
    const candidates = [slug, `${slug}-${item.layer_id}`, `${slug}-${item.layer_id}-v${item.version_id}`];
    item.base_name = candidates.find((c) => !taken.has(c)) ?? candidates[2]!;
    taken.add(item.base_name);
  }
}

/** Seed 004's example names: `example-layer-SHP`, from the content. */
function generatedName(items: ExportItem[], formats: ExportFormat[]): string {
  const shorts = [...new Set(formats.map((f) => f.short.toUpperCase()))].join('-');
  const first = items[0]!.base_name;
  return sanitizeExportName(items.length === 1 ? `${first}-${shorts}` : `${first}-and-${items.length - 1}-more-${shorts}`);
}

function choicesText(kind: string): string {
  const choices = exportFormats.filter((f) => (f.kinds as readonly string[]).includes(kind));
  return choices.length === 0 ? `Mapshelf offers no ${kind} formats` : `choose one of ${choices.map((f) => `${f.mimetype} (${f.displayName})`).join(', ')}`;
}

async function resolveCrop(ctx: DomainContext, actor: Actor, extent: ExtentInput, reasons: ErrorLocation[]): Promise<CropPolygon | null> {
  if (extent === null) return null;
  const location = 'extent';
  if ('geometry' in extent) {
    const problems = cropPolygonProblems(extent.geometry);
    for (const message of problems) reasons.push({ location, message });
    return problems.length === 0 ? (extent.geometry as CropPolygon) : null;
  }
  // Only a crop feature the caller may see (one of a layer they may view); any other reads as missing.
  const feature = extent.cropFeature && (await findVisibleCropFeature(ctx, actor, extent.cropFeature.cropLayerId, extent.cropFeature.featureId));
  if (!feature) {
    reasons.push({ location, message: `"${extent.given}" is not a crop feature; GET /exports/croplayers/ lists them` });
    return null;
  }
  return feature.geometry;
}

function checkOptions(options: Record<string, unknown>, hasRaster: boolean, reasons: ErrorLocation[]): void {
  for (const [key, value] of Object.entries(options)) {
    const location = `options.${key}`;
    if (pdfOptions.includes(key)) reasons.push({ location, message: 'is a PDF option, and PDF exports are not offered yet; remove it' });
    else if (key === 'allow_empty') {
      if (typeof value !== 'boolean') reasons.push({ location, message: 'must be true or false' });
    }
    else if (key === 'raster_resolution_multiplier') {
      if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 16) reasons.push({ location, message: 'must be a whole number from 1 to 16' });
      else if (!hasRaster) reasons.push({ location, message: 'applies to raster and grid items; this export has only vector and table items, so remove it' });
    } else reasons.push({ location, message: 'is not an export option; the options are allow_empty, raster_resolution_multiplier and, for PDF exports (not offered yet), the PDF options' });
  }
}

/**
 * Where one item is cut (`exportClip`): at the export's crop, narrowed to the area of use of
 * the CRS it is written in. Tables and items without geometry are never cut. The job uses the
 * same, so validation and export agree.
 */
export function itemClip(version: Pick<Version, 'crs' | 'extent' | 'geometry_type'>, format: ExportFormat, crs: string | null, crop: CropPolygon | null): ExportClip {
  if (version.geometry_type === null) return { crop: null, keepsNothing: false, areaCut: null };
  return exportClip({
    targetCrs: format.fixedCrs ?? crs,
    sourceCrs: version.crs,
    crop,
    extent: version.extent,
  });
}

const percent = (share: number) => (share > 0.995 && share < 1 ? 'over 99.5%' : share < 0.005 ? 'under 0.5%' : `${Math.round(share * 100)}%`);

/** Whether an item keeps any feature once cut at its clip, decided in its GeoPackage (`clipKeepsAny`). */
async function keepsAny(ctx: DomainContext, c: CheckedItem, clip: ExportClip): Promise<boolean> {
  if (clip.keepsNothing) return false;
  if (!clip.crop || c.version.geometry_type === null || !c.version.data_file) return true;
  if (c.featureCount === 0) return false;
  const source = absolute(ctx.dataDir, c.version.data_file);
  const inSource = await clipInSource(clip.crop, source, versionLayerName);
  if (!inSource) return false;
  return clipKeepsAny(source, versionLayerName, inSource, dimensionOf(c.version.geometry_type));
}

/**
 * Warnings for items the target CRS's area of use cuts, and the items the export would leave
 * empty: reasons unless `allow_empty` (then warnings). When every item would be empty, one
 * message at the extent (or the CRS, when only its area of use leaves them empty).
 */
async function checkClips(
  ctx: DomainContext,
  checked: CheckedItem[],
  chosen: Map<string, ExportFormat>,
  crs: string | null,
  crop: CropPolygon | null,
  allowEmpty: boolean,
  reasons: ErrorLocation[],
  warnings: ErrorLocation[],
  itemWarnings: string[][],
  itemReasons: string[][],
): Promise<Map<CheckedItem, ExportClip>> {
  const clips = new Map<CheckedItem, ExportClip>();
  const empty: Array<{ c: CheckedItem; clip: ExportClip }> = [];
  for (const c of checked) {
    const format = chosen.get(c.item.kind);
    if (!format || c.version.geometry_type === null) continue;
    const clip = itemClip(c.version, format, crs, crop);
    clips.set(c, clip);
    const name = `${what(c.item.type, c.item.layer_id)} ("${c.item.title}")`;
    if (clip.areaCut) {
      const { area, shareOutside } = clip.areaCut;
      const message = `${percent(shareOutside)} of the extent of ${name}${crop ? ' within the export\'s extent' : ''} lies outside the area of use of ${area.crs} (${describeArea(area)}), and PROJ can't reproject all of it into ${area.crs}; the export keeps only the part inside`;
      warnings.push({ location: `items[${c.index}].item`, message });
      itemWarnings[c.index]!.push(message);
    }
    if (!(await keepsAny(ctx, c, clip))) empty.push({ c, clip });
  }
  if (empty.length === 0) return clips;
  const where = (clip: ExportClip) =>
    crop && clip.areaCut ? `the export's extent within the area of use of ${clip.areaCut.area.crs}` : crop ? "the export's extent" : `the area of use of ${clip.areaCut!.area.crs} (${describeArea(clip.areaCut!.area)})`;
  const remedy = allowEmpty ? 'it is exported empty (allow_empty)' : 'change the extent or the CRS, remove the item, or set options.allow_empty to true to export it empty';
  const out = allowEmpty ? warnings : reasons;
  if (empty.length === checked.length) {
    const first = empty[0]!.clip;
    const names = empty.map(({ c }) => `${what(c.item.type, c.item.layer_id)} ("${c.item.title}")`).join(', ');
    const location = crop ? 'extent' : 'crs';
    out.push({ location, message: `holds no features of ${empty.length === 1 ? names : `any item (${names})`}: nothing lies inside ${where(first)}; ${remedy.replace(/the item/, 'items')}` });
    if (allowEmpty) for (const { c } of empty) itemWarnings[c.index]!.push(`holds no features inside ${where(first)}`);
    return clips;
  }
  for (const { c, clip } of empty) {
    const message = `holds no features inside ${where(clip)}, while other items do; ${remedy}`;
    out.push({ location: `items[${c.index}].item`, message });
    (allowEmpty ? itemWarnings : itemReasons)[c.index]!.push(message);
  }
  return clips;
}

/** Checks an export request as the actor would make it, and plans it if it is valid. */
export async function validateExport(ctx: DomainContext, actor: Actor, request: ExportRequest): Promise<ExportValidation> {
  const reasons: ErrorLocation[] = [];
  const warnings: ErrorLocation[] = [];
  const itemWarnings: string[][] = request.items.map(() => []);
  const itemResults = await Promise.all(request.items.map((input, i) => checkItem(ctx, actor, input, i)));
  const checked = itemResults.flatMap((r) => (r.checked ? [r.checked] : []));
  const seen = new Set<number>();
  itemResults.forEach((result, i) => {
    const c = result.checked;
    if (c && seen.has(c.item.version_id)) result.reasons.push('is already in this export');
    if (c) seen.add(c.item.version_id);
    for (const message of result.reasons) reasons.push({ location: `items[${i}].item`, message });
  });
  if (request.items.length === 0) reasons.push({ location: 'items', message: 'list at least one layer or table' });

  // Formats: one valid entry for every kind among the items.
  const chosen = new Map<string, ExportFormat>();
  for (const [kind, mimetype] of Object.entries(request.formats)) {
    const location = `formats.${kind}`;
    if (!(exportKinds as readonly string[]).includes(kind)) reasons.push({ location, message: `"${kind}" is not a data kind; the kinds are ${exportKinds.join(', ')}` });
    else {
      const format = findExportFormat(kind, mimetype);
      if (format) chosen.set(kind, format);
      else reasons.push({ location, message: `"${mimetype}" is not a ${kind} format Mapshelf exports; ${choicesText(kind)}` });
    }
  }
  for (const kind of new Set(checked.map((c) => c.item.kind))) {
    if (!(kind in request.formats)) reasons.push({ location: `formats.${kind}`, message: `is missing: the export has ${kind} items; ${choicesText(kind)}` });
  }

  // The CRS: needed by vector data written in a format whose CRS isn't fixed.
  const crs = request.crs || null;
  let crsOk = true;
  const vectorFormat = chosen.get('vector');
  const needsCrs = checked.some((c) => c.item.kind === 'vector' && c.hasGeometry) && vectorFormat !== undefined && !vectorFormat.fixedCrs;
  if (crs !== null) {
    crsOk = false;
    if (!/^EPSG:\d{1,9}$/.test(crs)) reasons.push({ location: 'crs', message: `must have the form EPSG:XXXX, e.g. EPSG:2193, not "${crs}"` });
    else if (!isKnownCrs(crs)) reasons.push({ location: 'crs', message: `${crs} is not a coordinate reference system in the EPSG registry` });
    else crsOk = true;
  } else if (needsCrs) reasons.push({ location: 'crs', message: 'is required: give the CRS to write the data in, as EPSG:XXXX (only KML, always EPSG:4326, goes without)' });

  const reasonsBeforeCrop = reasons.length;
  const crop = await resolveCrop(ctx, actor, request.extent, reasons);
  const cropOk = reasons.length === reasonsBeforeCrop;
  checkOptions(request.options, false, reasons);

  // The data each item keeps, once cut at the crop and the CRS's area of use; only when the CRS
  // and the extent can be read, since both decide it.
  const clips =
    crsOk && cropOk
      ? await checkClips(ctx, checked, chosen, crs, crop, request.options.allow_empty === true, reasons, warnings, itemWarnings, itemResults.map((r) => r.reasons))
      : new Map<CheckedItem, ExportClip>();

  const items = checked.map((c) => c.item);
  assignBaseNames(items);
  const sizeEstimate =
    checked.length > 0
      ? estimateZippedSize(
          checked.flatMap((c) => {
            const format = chosen.get(c.item.kind);
            const clip = clips.get(c);
            return format ? [{ ...c, format, ...(clip && { crop: clip.keepsNothing ? null : clip.crop, keepsNothing: clip.keepsNothing }) }] : [];
          }),
          crop,
        )
      : null;
  const perItem = request.items.map((input, i) => ({ given: input.given, reasons: itemResults[i]!.reasons, warnings: itemWarnings[i]! }));
  if (reasons.length > 0) return { reasons, warnings, items: perItem, sizeEstimate, plan: null };

  const given = request.name ? sanitizeExportName(request.name) : '';
  const name = given || generatedName(items, [...new Set(items.map((i) => chosen.get(i.kind)!))]);
  const plan: ExportPlan = {
    name,
    crs,
    formats: request.formats,
    items,
    crop,
    extent: request.extent === null ? null : 'geometry' in request.extent ? request.extent.geometry : request.extent.given,
    options: request.options,
    sizeEstimate: sizeEstimate ?? 0,
  };
  return { reasons, warnings, items: perItem, sizeEstimate, plan };
}

/** Creates an export and queues its job, or explains with a 400 why it can't be made. */
export async function createExport(ctx: DomainContext, actor: Actor, request: ExportRequest, createdVia = 'api'): Promise<Export> {
  if (actor.kind !== 'user') throw new MapshelfError('authentication_required', 'Exports belong to a user; send an API token.');
  const { plan, reasons } = await validateExport(ctx, actor, request);
  if (!plan) {
    throw new MapshelfError('invalid_export', (place) => `The export can't be made: ${reasons.map((r) => `${place(r.location)}: ${r.message}`).join('; ')}`, {
      errors: reasons,
      relative: true,
    });
  }
  const at = timestamp(ctx);
  const id = await ctx.store.transaction(async (repos) => {
    const exportId = await repos.exports.insert({
      owner_id: actor.user.id,
      name: plan.name,
      state: 'processing',
      created_via: createdVia,
      created_at: at,
      updated_at: at,
      crs: plan.crs,
      formats: plan.formats,
      items: plan.items,
      extent: plan.extent,
      crop_geometry: plan.crop,
      options: plan.options,
      size_estimate_zipped: plan.sizeEstimate,
      progress: 0,
    });
    const jobId = await repos.jobs.enqueue({ kind: exportJobKind, payload: { exportId }, runAt: at, maxAttempts: 2 }, at);
    await repos.exports.update(exportId, { job_id: jobId });
    return exportId;
  });
  ctx.jobs.wake();
  return (await ctx.store.exports.findById(id))!;
}

/** The caller's exports, or everyone's for a site admin. */
export async function listExports(ctx: DomainContext, actor: Actor, query: ListQuery): Promise<ListResult<Export>> {
  return ctx.store.exports.list(query, exportOwnerScope(actor));
}

/** One export, if it is the caller's (or the caller is a site admin). */
export async function getExport(ctx: DomainContext, actor: Actor, id: number): Promise<Export> {
  const row = await ctx.store.exports.findById(id);
  const owner = exportOwnerScope(actor);
  if (!row || (owner !== null && row.owner_id !== owner)) throw notFound(`Export ${id}`);
  return row;
}

/** Cancels a processing export: its job stops (GDAL is killed) and its files are removed. */
export async function cancelExport(ctx: DomainContext, actor: Actor, id: number): Promise<Export> {
  const row = await getExport(ctx, actor, id);
  const refuse = (state: string) =>
    new MapshelfError('conflict', `Export ${id} is ${state}; only a processing export can be cancelled.`, {
      errors: [{ location: 'state', message: `is ${state}; only a processing export can be cancelled` }],
    });
  if (row.state !== 'processing') throw refuse(row.state);
  // Settles the export through the job's failure handler, whether it was queued or running.
  if (row.job_id !== null) await ctx.jobs.cancel(row.job_id);
  await ctx.store.exports.settle(id, { state: 'cancelled', error: 'Cancelled.', updated_at: timestamp(ctx) });
  const after = (await ctx.store.exports.findById(id))!;
  if (after.state !== 'cancelled') throw refuse(after.state);
  return after;
}

export interface ExportDownload {
  path: string;
  size: number;
  etag: string;
  filename: string;
}

/** The finished zip of an export the caller may see. */
export async function exportDownload(ctx: DomainContext, actor: Actor, id: number): Promise<ExportDownload> {
  const row = await getExport(ctx, actor, id);
  if (row.state === 'gone') throw new MapshelfError('gone', `Export ${id} has expired and its file was deleted; create the export again.`);
  if (row.state !== 'complete' || !row.file) {
    throw conflictState(id, row.state);
  }
  return { path: absolute(ctx.dataDir, row.file), size: row.file_size ?? 0, etag: row.file_etag ?? "", filename: `${row.name}.zip` };
}

function conflictState(id: number, state: string): MapshelfError {
  const detail = state === 'processing' ? 'is still processing; download it once its state is complete' : `is ${state}, so it has nothing to download`;
  return conflict(`Export ${id} ${detail}.`);
}

/** A whole download of an export counts as a use of each item in it. */
export async function countExportDownload(ctx: DomainContext, id: number): Promise<void> {
  const row = await ctx.store.exports.findById(id);
  if (!row) return;
  for (const item of row.items) await countUse(ctx, item.type, item.layer_id);
}
