import { mkdir, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { describeDataset, findDatasets, titleFromPath, type LayerSummary } from '../geo/datasets.js';
import { throwIfAborted, PermanentJobError } from '../jobs/job-kind.js';
import type { Datasource } from './model/sources.js';
import { timestamp, type DomainContext } from './context.js';
import { absolute, withoutServerPaths } from './data-paths.js';

const formatsHint = 'GeoPackage, Shapefile (.shp with .shx and .dbf), GeoJSON, GeoJSONSeq, FlatGeobuf, KML/KMZ, GML or CSV';

// Compared in JSON, as the columns hold them: -0 and 0 are one value there.
function sameDescription(row: Datasource, found: Omit<Datasource, 'id' | 'created_at' | 'updated_at' | 'removed_at'>): boolean {
  return (['title', 'data_type', 'format', 'geometry_type', 'crs', 'crs_wkt', 'fields', 'num_features', 'extent', 'metadata_path'] as const).every(
    (key) => JSON.stringify(row[key]) === JSON.stringify(found[key]),
  );
}

function toRow(sourceId: number, path: string, metadataPath: string | null, layer: LayerSummary, layerCount: number) {
  return {
    source_id: sourceId,
    upload_path: path,
    layer_name: layer.name,
    title: titleFromPath(path, layer.name, layerCount),
    data_type: layer.dataType,
    format: layer.format,
    geometry_type: layer.geometryType,
    crs: layer.crs?.id ?? null,
    crs_wkt: layer.crs && !layer.crs.id ? layer.crs.wkt : null,
    fields: layer.fields,
    num_features: layer.featureCount,
    extent: layer.extent4326,
    metadata_path: metadataPath,
    encoding: layer.textDecodes ? 'UTF-8' : 'unknown',
  };
}

/**
 * Scans a source's folder with GDAL and brings its datasources up to date. Safe to re-run: a
 * scan interrupted by a crash starts over. Unreadable files are reported in the scan log.
 *
 * A source that has never had a readable dataset and whose scan finds none keeps nothing on disk
 * (an upload of nothing but unreadable files would otherwise occupy the disk for ever) unless its
 * upload asked for `keep_unreadable`. One that had datasets keeps its files: a scan that now
 * finds nothing more likely met a fault than files that changed.
 */
export async function performScan(ctx: DomainContext, scanId: number, signal: AbortSignal): Promise<void> {
  const { store } = ctx;
  const scan = await store.sources.findScanById(scanId);
  if (!scan || scan.status === 'cancelled') return;
  const source = await store.sources.findById(scan.source_id);
  if (!source) throw new PermanentJobError(`Source ${scan.source_id} no longer exists.`);
  const folder = absolute(ctx.dataDir, source.folder);
  const lines: string[] = [];
  // Files are named by their upload paths, never by where the server keeps them.
  const log = (line: string) => lines.push(`${timestamp(ctx)} ${line.replaceAll(folder + sep, '').replaceAll(folder, 'the upload')}`);
  await store.sources.updateScan(scanId, { status: 'scanning', started_at: timestamp(ctx), progress: 0, log: '' });

  const { datasets, problems } = await findDatasets(folder);
  log(`found ${datasets.length} dataset file(s) in ${source.title}`);
  for (const problem of problems) log(`ERROR ${problem.path}: ${problem.message}`);

  const found: Array<ReturnType<typeof toRow>> = [];
  for (const [index, dataset] of datasets.entries()) {
    throwIfAborted(signal);
    try {
      const layers = await describeDataset(join(folder, dataset.path), signal);
      if (layers.length === 0) log(`ERROR ${dataset.path}: holds no layers`);
      for (const layer of layers) {
        found.push(toRow(source.id, dataset.path, dataset.metadataPath, layer, layers.length));
        log(
          `${dataset.path}${layers.length > 1 ? ` [${layer.name}]` : ''}: ${layer.dataType}, ${layer.featureCount} feature(s), ` +
            `${layer.geometryType ?? 'no geometry'}, CRS ${layer.crs?.id ?? (layer.crs ? 'unidentified (WKT kept)' : 'none')}`,
        );
        if (!layer.textDecodes) {
          log(`WARNING ${dataset.path}: some text attributes are not UTF-8; add a .cpg file beside it naming the encoding (e.g. ISO-8859-1) and scan again`);
        }
        if (layer.dataType === 'vector' && !layer.crs) log(`WARNING ${dataset.path}: no CRS; give "crs" in the layer's data when you create it`);
      }
    } catch (error) {
      // GDAL names the file by its path on the server; users know it by its upload path.
      const reason = withoutServerPaths((error as Error).message, ctx.dataDir);
      log(`ERROR ${dataset.path}: GDAL could not read it (${reason}); check the file is complete and not corrupt`);
    }
    await store.sources.updateScan(scanId, { progress: (index + 1) / Math.max(1, datasets.length) });
  }
  throwIfAborted(signal);

  const at = timestamp(ctx);
  const removeFiles = await store.transaction(async (repos) => {
    const current = await repos.sources.currentDatasources(source.id);
    // Only an upload nothing was ever read from is removed; one that once had datasets keeps its files.
    const everRead = await repos.sources.hadDatasources(source.id);
    const key = (r: { upload_path: string; layer_name: string }) => `${r.upload_path}\u0000${r.layer_name}`;
    const existing = new Map(current.map((r) => [key(r), r]));
    let added = 0;
    let updated = 0;
    for (const row of found) {
      const before = existing.get(key(row));
      existing.delete(key(row));
      if (!before) {
        await repos.sources.insertDatasource({ ...row, created_at: at, updated_at: at, removed_at: null });
        added++;
      } else if (!sameDescription(before, row)) {
        await repos.sources.updateDatasource(before.id, { ...row, updated_at: at });
        updated++;
      }
    }
    for (const gone of existing.values()) await repos.sources.updateDatasource(gone.id, { removed_at: at });
    const failed = found.length === 0;
    const remove = failed && !everRead && !source.options.keep_unreadable;
    if (failed) log(`ERROR no readable dataset found; upload ${formatsHint}`);
    if (remove) {
      log('ERROR the uploaded files were removed, as none could be read; to keep such an upload, send "keep_unreadable": true in its source part');
    }
    await repos.sources.updateScan(scanId, {
      status: failed ? 'error' : 'completed',
      progress: 1,
      added,
      updated,
      deleted: existing.size,
      completed_at: at,
      log: lines.join('\n') + '\n',
    });
    await repos.sources.update(source.id, { last_scanned_at: at, updated_at: at });
    return remove;
  });
  // After the commit: a crash in between leaves the files, and the re-run scan removes them.
  if (removeFiles) {
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
  }
}

/** Leaves a scan that could not finish in an `error` (or `cancelled`) state, with the reason logged. */
export async function failScan(ctx: DomainContext, scanId: number, message: string, cancelled: boolean): Promise<void> {
  const scan = await ctx.store.sources.findScanById(scanId);
  if (!scan) return;
  await ctx.store.sources.updateScan(scanId, {
    status: cancelled ? 'cancelled' : 'error',
    completed_at: timestamp(ctx),
    log: `${scan.log}${timestamp(ctx)} ${cancelled ? 'CANCELLED' : `ERROR ${message}`}\n`,
  });
}
