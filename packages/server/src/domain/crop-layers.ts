import { readCropFeatures, type Bbox } from '../geo/crop.js';
import { versionLayerName } from '../geo/import.js';
import type { CropLayerWithCount } from '../store/crop-layers-repository.js';
import type { CropFeatureRow } from '../store/schema.js';
import { isSiteAdmin, type Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { forbidden, invalidParameter, notFound } from './errors.js';
import { absolute } from './data-paths.js';
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

/** Crop layers are shared by everyone who makes exports. */
export async function listCropLayers(ctx: DomainContext, query: ListQuery): Promise<ListResult<CropLayerWithCount>> {
  return ctx.store.cropLayers.list(query);
}

export async function getCropLayer(ctx: DomainContext, id: number): Promise<CropLayerWithCount> {
  const row = await ctx.store.cropLayers.findById(id);
  if (!row) throw notFound(`Crop layer ${id}`);
  return row;
}

export async function listCropFeatures(ctx: DomainContext, cropLayerId: number, query: ListQuery): Promise<ListResult<CropFeatureRow>> {
  await getCropLayer(ctx, cropLayerId);
  return ctx.store.cropLayers.listFeatures(cropLayerId, query);
}

export async function getCropFeature(ctx: DomainContext, cropLayerId: number, id: number): Promise<CropFeatureRow> {
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
  if (!layer || layer.type !== 'layer') throw invalidParameter('body.source_layer', `there is no layer ${input.sourceLayer}`);
  const version = layer.published_version_id === null ? undefined : await ctx.store.layers.findLayerVersion(layer.published_version_id);
  if (!version?.data_file) throw invalidParameter('body.source_layer', `layer ${layer.id} has no published version; publish it first`);
  if (!version.geometry_type || !/polygon/i.test(version.geometry_type)) {
    throw invalidParameter('body.source_layer', `layer ${layer.id} holds ${version.geometry_type ?? 'no geometry'}; crop layers are made from polygons`);
  }
  const fields = JSON.parse(version.fields) as Array<{ name: string; type: string }>;
  let nameField = input.nameField ?? null;
  if (nameField !== null && !fields.some((f) => f.name === nameField)) {
    throw invalidParameter('body.name_field', `layer ${layer.id} has no field "${nameField}"; its fields are ${fields.map((f) => f.name).join(', ') || 'none'}`);
  }
  nameField ??=
    fields.find((f) => /^(name|title|label)$/i.test(f.name))?.name ?? fields.find((f) => f.type === 'string')?.name ?? null;
  const features = await readCropFeatures(absolute(ctx.dataDir, version.data_file), versionLayerName, nameField);
  if (features.length === 0) throw invalidParameter('body.source_layer', `layer ${layer.id} has no polygon features`);
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
        extent: JSON.stringify(extent),
        created_by: actor.kind === 'user' ? actor.user.id : 0,
        created_at: timestamp(ctx),
      },
      features.map((f) => ({ name: f.name, geometry: JSON.stringify(f.geometry), extent: JSON.stringify(f.extent) })),
    ),
  );
  return getCropLayer(ctx, id);
}

/** Removes a crop layer; exports already cropped by its features keep their polygons. */
export async function deleteCropLayer(ctx: DomainContext, actor: Actor, id: number): Promise<void> {
  assertAdmin(actor);
  await getCropLayer(ctx, id);
  await ctx.store.cropLayers.delete(id);
}
