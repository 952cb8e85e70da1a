import type { SourceDetail } from '../../../domain/sources.js';
import type { Datasource, Scan, Source } from '../../../domain/model/sources.js';
import { bboxPolygon } from '../conventions/geojson.js';
import type { PresentContext } from '../conventions/present.js';
import { apiPath } from '../conventions/urls.js';

export function presentSourceSummary(source: Source, ctx: PresentContext) {
  return {
    id: source.id,
    url: ctx.urlFor(apiPath('sources', source.id)),
    type: source.type,
    title: source.title,
    last_scanned_at: source.last_scanned_at,
  };
}

export function presentScan(scan: Scan, ctx: PresentContext) {
  const url = ctx.urlFor(apiPath('sources', scan.source_id, 'scans', scan.id));
  return {
    id: scan.id,
    url,
    source: ctx.urlFor(apiPath('sources', scan.source_id)),
    status: scan.status,
    progress: scan.progress,
    created_at: scan.created_at,
    started_at: scan.started_at,
    completed_at: scan.completed_at,
    change_counts: { added: scan.added, updated: scan.updated, deleted: scan.deleted },
    log_url: `${url}log/`,
  };
}

export function presentDatasource(row: Datasource, ctx: PresentContext) {
  return {
    id: row.id,
    url: ctx.urlFor(apiPath('sources', row.source_id, 'datasources', row.id)),
    source: ctx.urlFor(apiPath('sources', row.source_id)),
    title: row.title,
    data_type: row.data_type,
    format: row.format,
    upload_path: row.upload_path,
    layer: row.layer_name,
    geometry_type: row.geometry_type,
    crs: row.crs,
    crs_wkt: row.crs_wkt,
    fields: row.fields,
    num_features: row.num_features,
    extent: bboxPolygon(row.extent),
    metadata_path: row.metadata_path,
  };
}

export function presentSource({ source, datasources, scans }: SourceDetail, ctx: PresentContext) {
  const url = ctx.urlFor(apiPath('sources', source.id));
  return {
    ...presentSourceSummary(source, ctx),
    description: source.description,
    group: { id: source.group_id, url: ctx.urlFor(apiPath('groups', source.group_id)) },
    user: { id: source.owner_id, url: ctx.urlFor(apiPath('users', source.owner_id)) },
    options: {},
    scan_schedule: null,
    created_at: source.created_at,
    updated_at: source.updated_at,
    datasources: ctx.expand.has('datasources') ? datasources.map((d) => presentDatasource(d, ctx)) : `${url}datasources/`,
    scans: `${url}scans/`,
    permissions: `${url}permissions/`,
    latest_scan: scans[0] ? presentScan(scans[0], ctx) : null,
  };
}
