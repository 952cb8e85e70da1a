import { readCropFeatures, type Bbox } from '../geo/crop.js';
import { versionLayerName } from '../geo/import.js';
import type { CropFeature, CropLayer, CropLayerWithCount } from './model/exports.js';
import { isSiteAdmin, type Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { forbidden, invalidInput, notFound } from './errors.js';
import { absolute } from './data-paths.js';
import { effectiveLevel, visibilityFor } from './item-access.js';
import { atLeast } from './policies/items.js';
import type { ListQuery, ListResult } from './list-query.js';

export interface CreateCropLayerInput {
  name: string;
  sourceLayer: number;
  /** The field that names each feature; by default a `name` or `title` field, else the first text field. */
  nameField?: string | null;
}

function assertAdmin(actor: Actor): void {
  if (!isSiteAdmin(actor)) throw forbidden('Only site administrators manage crop layers.');
}

/**
 * Who may see a crop layer: whoever may view its source layer. Its features are that layer's
 * polygons, names and all, so a crop layer made from a private layer stays as private as the
 * layer; this is decided live, so a permission change on the layer applies at once. A crop
 * layer whose source layer was deleted is for site admins only.
 */
async function maySeeCropLayer(ctx: DomainContext, actor: Actor, row: CropLayer): Promise<boolean> {
  if (isSiteAdmin(actor)) return true;
  if (row.source_layer_id === null) return false;
  const layer = await ctx.store.layers.findLayer(row.source_layer_id);
  if (!layer) return false;
  return atLeast(await effectiveLevel(ctx, actor, { kind: 'layer', id: layer.id, group_id: layer.group_id }), 'view');
}

/** The crop layers the actor may see (those whose source layer they may view), in SQL. */
export async function listCropLayers(ctx: DomainContext, actor: Actor, query: ListQuery): Promise<ListResult<CropLayerWithCount>> {
  return ctx.store.cropLayers.list(query, visibilityFor(actor, 'view'));
}

/** A crop layer the actor may see; any other is "not found", so a private layer's crop layer does not leak. */
export async function getCropLayer(ctx: DomainContext, actor: Actor, id: number): Promise<CropLayerWithCount> {
  const row = await ctx.store.cropLayers.findById(id);
  if (!row || !(await maySeeCropLayer(ctx, actor, row))) throw notFound(`Crop layer ${id}`);
  return row;
}

export async function listCropFeatures(ctx: DomainContext, actor: Actor, cropLayerId: number, query: ListQuery): Promise<ListResult<CropFeature>> {
  await getCropLayer(ctx, actor, cropLayerId);
  return ctx.store.cropLayers.listFeatures(cropLayerId, query);
}

/** A crop feature of a crop layer the actor may see, or undefined (for export extents, which report it as a reason). */
export async function findVisibleCropFeature(ctx: DomainContext, actor: Actor, cropLayerId: number, id: number): Promise<CropFeature | undefined> {
  const layer = await ctx.store.cropLayers.findById(cropLayerId);
  if (!layer || !(await maySeeCropLayer(ctx, actor, layer))) return undefined;
  return ctx.store.cropLayers.findFeature(cropLayerId, id);
}

export async function getCropFeature(ctx: DomainContext, actor: Actor, cropLayerId: number, id: number): Promise<CropFeature> {
  await getCropLayer(ctx, actor, cropLayerId);
  const row = await ctx.store.cropLayers.findFeature(cropLayerId, id);
  if (!row) throw notFound(`Crop feature ${id} of crop layer ${cropLayerId}`);
  return row;
}

/**
 * Makes a crop layer from the published version of a polygon layer: every polygon becomes a
 * crop feature, reprojected to EPSG:4326 and named from a field.
 */
export async function createCropLayer(ctx: DomainContext, actor: Actor, input: CreateCropLayerInput): Promise<CropLayerWithCount> {
  assertAdmin(actor);
  const layer = await ctx.store.layers.findLayer(input.sourceLayer);
  if (!layer || layer.type !== 'layer') throw invalidInput('source_layer', `there is no layer ${input.sourceLayer}`);
  const version = layer.published_version_id === null ? undefined : await ctx.store.layers.findLayerVersion(layer.published_version_id);
  if (!version?.data_file) throw invalidInput('source_layer', `layer ${layer.id} has no published version; publish it first`);
  if (!version.geometry_type || !/polygon/i.test(version.geometry_type)) {
    throw invalidInput('source_layer', `layer ${layer.id} holds ${version.geometry_type ?? 'no geometry'}; crop layers are made from polygons`);
  }
  const fields = version.fields;
  let nameField = input.nameField ?? null;
  if (nameField !== null && !fields.some((f) => f.name === nameField)) {
    throw invalidInput('name_field', `layer ${layer.id} has no field "${nameField}"; its fields are ${fields.map((f) => f.name).join(', ') || 'none'}`);
  }
  nameField ??=
    fields.find((f) => /^(name|title|label)$/i.test(f.name))?.name ?? fields.find((f) => f.type === 'string')?.name ?? null;
  const features = await readCropFeatures(absolute(ctx.dataDir, version.data_file), versionLayerName, nameField);
  if (features.length === 0) throw invalidInput('source_layer', `layer ${layer.id} has no polygon features`);
  const extent = features.reduce<Bbox>(
    (e, f) => [Math.min(e[0], f.extent[0]), Math.min(e[1], f.extent[1]), Math.max(e[2], f.extent[2]), Math.max(e[3], f.extent[3])],
    [Infinity, Infinity, -Infinity, -Infinity],
  );
  const id = await ctx.store.transaction((repos) =>
    repos.cropLayers.insert(
      {
        name: input.name,
        source_layer_id: layer.id,
        source_version_id: version.id,
        name_field: nameField,
        extent,
        created_by: actor.kind === 'user' ? actor.user.id : 0,
        created_at: timestamp(ctx),
      },
      features.map((f) => ({ name: f.name, geometry: f.geometry, extent: f.extent })),
    ),
  );
  return getCropLayer(ctx, actor, id);
}

/** Removes a crop layer; exports already cropped by its features keep their polygons. */
export async function deleteCropLayer(ctx: DomainContext, actor: Actor, id: number): Promise<void> {
  assertAdmin(actor);
  await getCropLayer(ctx, actor, id);
  await ctx.store.cropLayers.delete(id);
}
