import type { ExportItem } from '../../../domain/exports.js';
import type { CropLayerWithCount } from '../../../store/repositories/crop-layers-repository.js';
import type { CropFeatureRow, ExportRow } from '../../../store/schema.js';
import type { PresentContext } from '../conventions/present.js';
import { apiPath } from '../conventions/urls.js';

const collection = (type: ExportItem['type']) => (type === 'table' ? 'tables' : 'layers');

/** The URL a client named an item by: the layer's, or the version's when it asked for one. */
export function exportItemUrl(item: ExportItem, ctx: PresentContext): string {
  const layer = apiPath(collection(item.type), item.layer_id);
  return ctx.urlFor(item.pinned ? `${layer}versions/${item.version_id}/` : layer);
}

export function presentExportSummary(row: ExportRow, ctx: PresentContext) {
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

export function presentExport(row: ExportRow, ctx: PresentContext) {
  const items = JSON.parse(row.items) as ExportItem[];
  return {
    ...presentExportSummary(row, ctx),
    crs: row.crs,
    formats: JSON.parse(row.formats) as Record<string, string>,
    items: items.map((item) => ({ item: exportItemUrl(item, ctx), ...(item.color && { color: item.color }) })),
    extent: row.extent === null ? null : (JSON.parse(row.extent) as unknown),
    options: JSON.parse(row.options) as Record<string, unknown>,
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
    extent: row.extent === null ? null : (JSON.parse(row.extent) as number[]),
    source_layer: row.source_layer_id === null ? null : ctx.urlFor(apiPath('layers', row.source_layer_id)),
    name_field: row.name_field,
    created_at: row.created_at,
  };
}

export function presentCropFeatureSummary(row: CropFeatureRow, ctx: PresentContext) {
  return {
    id: row.id,
    name: row.name,
    url: ctx.urlFor(apiPath('exports', 'croplayers', row.crop_layer_id, 'cropfeatures', row.id)),
    extent: JSON.parse(row.extent) as number[],
  };
}

export function presentCropFeature(row: CropFeatureRow, ctx: PresentContext) {
  return { ...presentCropFeatureSummary(row, ctx), geometry: JSON.parse(row.geometry) as unknown };
}
