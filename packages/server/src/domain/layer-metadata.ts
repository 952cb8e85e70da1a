import type { Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { conflict } from './errors.js';
import { authorizedLayer, getVersion, type VersionRef } from './layers.js';
import { metadataDocument, readUploadedMetadata, type MetadataForm, type MetadataRecord, type SchemaWarning } from './metadata/index.js';
import type { LayerType, LayerView } from './model/layers.js';
import { fillItemRecord } from './record-import.js';
import { itemRecordExtras } from './record-iso.js';

/** What Mapshelf knows of a version, as a metadata record. */
async function recordOf(ctx: DomainContext, row: LayerView, layerUrl: string, metadataUrl: string): Promise<MetadataRecord> {
  const group = (await ctx.store.groups.findById(row.group_id))!;
  const fromRecord = await itemRecordExtras(ctx, { kind: 'layer', id: row.layer_id }, { published: row.published_at !== null, ref: { version_id: row.id } }, group, (path) => `${metadataUrl}${path}`);
  const license = row.license_id === null ? undefined : await ctx.store.licenses.findById(row.license_id);
  return {
    fileIdentifier: `mapshelf:${row.layer_type}:${row.layer_id}:version:${row.id}`,
    title: row.title,
    abstract: row.description,
    kind: row.layer_type,
    keywords: row.tags,
    categories: row.categories,
    created: row.layer_created_at,
    updated: row.updated_at,
    published: row.published_at,
    extent: row.extent,
    crs: row.crs,
    geometryType: row.geometry_type,
    featureCount: row.feature_count,
    fields: fromRecord ? row.fields.map(fromRecord.describe) : row.fields,
    license: license ? { title: license.title, url: license.url } : null,
    contact: { organisation: group.name, email: null },
    url: layerUrl,
    ...fromRecord?.extras,
  };
}

/**
 * A version's metadata document: the uploaded one (`native`), or ISO 19139 / Dublin Core.
 * Without an upload, `native` is the generated ISO 19139 record, naming the item by
 * `layerUrl` of its actual type (a table's URL is under /tables/, however it was reached), with
 * what its record holds (contacts, conditions…; hosted files under `metadataUrl`).
 */
export async function getMetadata(
  ctx: DomainContext,
  actor: Actor,
  type: LayerType,
  layerId: number,
  ref: VersionRef,
  form: MetadataForm,
  layerUrl: (actual: LayerType) => string,
  metadataUrl: string,
): Promise<string> {
  const row = await getVersion(ctx, actor, type, layerId, ref);
  return versionMetadata(ctx, row, form, layerUrl(row.layer_type), metadataUrl);
}

/** A version's metadata document in one form, for a caller already allowed to see it (an export). */
export async function versionMetadata(ctx: DomainContext, row: LayerView, form: MetadataForm, layerUrl: string, metadataUrl: string): Promise<string> {
  return metadataDocument(await ctx.store.layers.metadataDocument(row.id), form, () => recordOf(ctx, row, layerUrl, metadataUrl));
}

/**
 * Stores an uploaded ISO 19115/19139, FGDC or Dublin Core document on a draft version. An ISO
 * document is checked against the ISO 19139 schemas first; what they find is returned as
 * `warnings` (at most 20) and doesn't refuse the document.
 */
export async function putMetadata(
  ctx: DomainContext,
  actor: Actor,
  type: LayerType,
  layerId: number,
  versionId: number,
  xml: string,
): Promise<{ format: string; warnings: SchemaWarning[] }> {
  await authorizedLayer(ctx, actor, type, layerId, 'edit');
  const published = () => conflict(`Version ${versionId} is published; published versions never change. Create a new version.`);
  const row = await getVersion(ctx, actor, type, layerId, versionId);
  if (row.published_at !== null) throw published();
  const { format, warnings, iso } = await readUploadedMetadata(xml);
  const at = timestamp(ctx);
  // The check takes a moment, in which the version may have been published: checked again with the write.
  await ctx.store.transaction(async (repos) => {
    if ((await repos.layers.findVersion(row.id))?.published_at !== null) throw published();
    await repos.layers.putMetadataDocument({ version_id: row.id, format, xml, created_at: at });
    // An ISO document fills the item's record too: the two faces' metadata are one.
    if (iso) await fillItemRecord(repos, { kind: 'layer', id: layerId }, iso, at);
  });
  return { format, warnings };
}
