import type { LayerView } from '../../../domain/model/layers.js';
import { bboxPolygon } from '../conventions/geojson.js';
import { presentDescription } from '../conventions/item-fields.js';
import type { PresentContext } from '../conventions/present.js';
import { apiPath } from '../conventions/urls.js';
import { metadataRoot } from '../../shared/face-roots.js';

export const collectionOf = (type: 'layer' | 'table') => (type === 'table' ? 'tables' : 'layers');

export function versionUrl(row: Pick<LayerView, 'layer_type' | 'layer_id' | 'id'>, ctx: PresentContext): string {
  return ctx.urlFor(apiPath(collectionOf(row.layer_type), row.layer_id, 'versions', row.id));
}

export function presentLayerSummary(row: LayerView, ctx: PresentContext) {
  return {
    id: row.layer_id,
    url: ctx.urlFor(apiPath(collectionOf(row.layer_type), row.layer_id)),
    type: row.layer_type,
    name: row.title,
    title: row.title,
    kind: row.layer_type === 'table' ? 'table' : 'vector',
    first_published_at: row.first_published_at,
    published_at: row.published_at,
    version: { id: row.id, url: versionUrl(row, ctx), status: row.status },
  };
}

export function presentLayer(row: LayerView, ctx: PresentContext) {
  const collection = collectionOf(row.layer_type);
  const thisVersion = versionUrl(row, ctx);
  // A table has no geometry: Koordinates gives its CRS, geometry and extent fields as nulls.
  const spatial = row.layer_type !== 'table';
  return {
    ...presentLayerSummary(row, ctx),
    ...presentDescription(row, ctx),
    collected_at: null,
    created_at: row.layer_created_at,
    url_html: null,
    published_version: row.published_version_id === null ? null : ctx.urlFor(apiPath(collection, row.layer_id, 'versions', row.published_version_id)),
    latest_version: ctx.urlFor(apiPath(collection, row.layer_id, 'versions', row.latest_version_id)),
    this_version: thisVersion,
    data: {
      crs: spatial ? (row.crs ?? row.requested_crs) : null,
      datasources: row.datasources.map((id) => ({ id })),
      geometry_field: spatial ? row.geometry_field : null,
      geometry_type: spatial ? row.geometry_type : null,
      fields: row.fields,
      primary_key_fields: row.primary_key_fields,
      feature_count: row.feature_count,
      extent: spatial ? bboxPolygon(row.extent) : null,
    },
    version: {
      id: row.id,
      url: thisVersion,
      number: row.number,
      status: row.status,
      progress: row.progress,
      error: row.error,
      created_at: row.created_at,
      created_by: { id: row.created_by, url: ctx.urlFor(apiPath('users', row.created_by)) },
      published_at: row.published_at,
      reference: null,
      change_counts: row.change_counts,
      import_log: `${thisVersion}import-log/`,
    },
    metadata: {
      iso: `${thisVersion}metadata/iso/`,
      dc: `${thisVersion}metadata/dc/`,
      native: `${thisVersion}metadata/`,
      // The layer's living metadata, in the other face.
      record: ctx.urlFor(`${metadataRoot}/resources/${row.layer_uid}/`),
    },
    permissions: ctx.urlFor(`${apiPath(collection, row.layer_id)}permissions/`),
  };
}
