import type { CropFeature, CropLayerWithCount, Export, ExportItem } from '../../../domain/model/exports.js';
import type { PresentContext } from '../conventions/present.js';
import { apiPath } from '../conventions/urls.js';

const collection = (type: ExportItem['type']) => (type === 'table' ? 'tables' : 'layers');

/** The URL a client named an item by: the layer's, or the version's when it asked for one. */
export function exportItemUrl(item: ExportItem, ctx: PresentContext): string {
  const layer = apiPath(collection(item.type), item.layer_id);
  return ctx.urlFor(item.pinned ? `${layer}versions/${item.version_id}/` : layer);
}

export function presentExportSummary(row: Export, ctx: PresentContext) {
  const url = ctx.urlFor(apiPath('exports', row.id));
  return {
    id: row.id,
    name: row.name,
    created_at: row.created_at,
    created_via: row.created_via,
    state: row.state,
    url,
    download_url: row.state === 'complete' ? `${url}download/` : null,
  };
}

export function presentExport(row: Export, ctx: PresentContext) {
  return {
    ...presentExportSummary(row, ctx),
    crs: row.crs,
    formats: row.formats,
    items: row.items.map((item) => ({ item: exportItemUrl(item, ctx), ...(item.color && { color: item.color }) })),
    extent: row.extent,
    options: row.options,
    size_estimate_zipped: row.size_estimate_zipped,
    progress: row.progress,
    error: row.error,
    size: row.file_size,
    completed_at: row.completed_at,
    expires_at: row.state === 'complete' ? row.expires_at : null,
    user: ctx.urlFor(apiPath('users', row.owner_id)),
  };
}

export function presentCropLayer(row: CropLayerWithCount, ctx: PresentContext) {
  const url = ctx.urlFor(apiPath('exports', 'croplayers', row.id));
  return {
    id: row.id,
    name: row.name,
    url,
    features_url: `${url}cropfeatures/`,
    feature_count: row.feature_count,
    extent: row.extent,
    source_layer: row.source_layer_id === null ? null : ctx.urlFor(apiPath('layers', row.source_layer_id)),
    name_field: row.name_field,
    created_at: row.created_at,
  };
}

export function presentCropFeatureSummary(row: CropFeature, ctx: PresentContext) {
  return {
    id: row.id,
    name: row.name,
    url: ctx.urlFor(apiPath('exports', 'croplayers', row.crop_layer_id, 'cropfeatures', row.id)),
    extent: row.extent,
  };
}

export function presentCropFeature(row: CropFeature, ctx: PresentContext) {
  return { ...presentCropFeatureSummary(row, ctx), geometry: row.geometry };
}
