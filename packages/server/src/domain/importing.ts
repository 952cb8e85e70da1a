import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { countChanges } from '../geo/change-counts.js';
import { importToGeoPackage } from '../geo/import.js';
import { PermanentJobError, throwIfAborted } from '../jobs/job-kind.js';
import { timestamp, type DomainContext } from './context.js';
import { absolute, dataPaths, withoutServerPaths } from './data-paths.js';
import { indexLayer } from './catalog.js';
import { parseMetadataXml } from './metadata/index.js';
import { settlePublishRequests } from './publishing.js';

/** Formats whose feature ids survive a re-export, so they can match features between versions. */
const stableFidFormats = new Set(['GeoPackage']);

/**
 * Imports a version's datasource into its own immutable GeoPackage, records what it holds and
 * what changed since the previous version, then lets waiting publish requests go on. Safe to
 * re-run: the file is written in the run's `scratch` folder and moved into place at the end.
 */
export async function performImport(ctx: DomainContext, versionId: number, signal: AbortSignal, scratch: string): Promise<void> {
  const { store } = ctx;
  const version = await store.layers.findVersion(versionId);
  if (!version) return;
  const lines: string[] = [];
  const log = (line: string) => lines.push(`${timestamp(ctx)} ${line}`);
  await store.layers.updateVersion(versionId, { status: 'importing', progress: 0, error: null, updated_at: timestamp(ctx) });

  const [datasourceId] = version.datasources;
  const datasource = datasourceId === undefined ? undefined : await store.sources.findDatasource(datasourceId);
  const source = datasource ? await store.sources.findById(datasource.source_id) : undefined;
  if (!datasource || !source || datasource.removed_at) {
    throw new PermanentJobError(`Datasource ${datasourceId} no longer exists; point the version at another datasource.`);
  }
  log(`importing ${datasource.upload_path}${datasource.layer_name ? ` [${datasource.layer_name}]` : ''} from source ${source.id}`);

  try {
    const temporary = join(scratch, 'data.gpkg');
    let lastWrite = 0;
    const imported = await importToGeoPackage({
      source: join(absolute(ctx.dataDir, source.folder), datasource.upload_path),
      layerName: datasource.layer_name,
      destination: temporary,
      crs: version.requested_crs,
      preserveFids: stableFidFormats.has(datasource.format),
      signal,
      onProgress: (fraction) => {
        // Progress is for people watching; a write a second is plenty.
        if (Date.now() - lastWrite > 1000) {
          lastWrite = Date.now();
          void store.layers.updateVersion(versionId, { progress: Math.min(0.95, fraction) });
        }
      },
    }).catch((error: Error) => {
      throw new PermanentJobError(`GDAL could not import ${datasource.upload_path}: ${withoutServerPaths(error.message, ctx.dataDir)}. Check the file, or upload it again.`);
    });
    throwIfAborted(signal);
    log(`wrote ${imported.featureCount} feature(s), ${imported.geometryType ?? 'no geometry'}, CRS ${imported.crs ?? 'none'}`);
    if (imported.invalidGeometries > 0) log(`WARNING ${imported.invalidGeometries} feature(s) have invalid geometries; they were kept as they are`);

    const keys = version.primary_key_fields;
    const matchOn = keys.length > 0 ? keys : stableFidFormats.has(datasource.format) ? ['fid'] : [];
    const previous = await store.layers.previousImported(version.layer_id, version.number);
    const changes =
      previous?.data_file
        ? countChanges(absolute(ctx.dataDir, previous.data_file), temporary, matchOn)
        : { added: imported.featureCount, updated: 0, deleted: 0 };
    log(`changes since ${previous ? `version ${previous.number}` : 'nothing'}: +${changes.added} ~${changes.updated} -${changes.deleted}`);

    if (datasource.metadata_path) await attachSidecarMetadata(ctx, versionId, join(absolute(ctx.dataDir, source.folder), datasource.metadata_path), log);

    const file = dataPaths.versionFile(version.layer_id, version.number);
    await mkdir(dirname(absolute(ctx.dataDir, file)), { recursive: true });
    await rename(temporary, absolute(ctx.dataDir, file));
    // Scratch goes before the version reads as ok, so a finished import leaves nothing behind.
    await rm(scratch, { recursive: true, force: true });
    await store.layers.updateVersion(versionId, {
      status: 'ok',
      progress: 1,
      crs: imported.crs,
      geometry_type: imported.geometryType,
      geometry_field: imported.geometryField,
      fields: imported.fields,
      primary_key_fields: matchOn,
      feature_count: imported.featureCount,
      extent: imported.extent4326,
      data_file: file,
      change_counts: changes,
      import_log: lines.join('\n') + '\n',
      updated_at: timestamp(ctx),
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  await indexLayer(ctx, version.layer_id);
  await settlePublishRequests(ctx, versionId);
}

/** A dataset's same-named .xml becomes the version's metadata document, if it is a format Mapshelf reads. */
async function attachSidecarMetadata(ctx: DomainContext, versionId: number, path: string, log: (line: string) => void): Promise<void> {
  try {
    const xml = await readFile(path, 'utf8');
    const { format } = parseMetadataXml(xml);
    await ctx.store.layers.putMetadataDocument({ version_id: versionId, format, xml, created_at: timestamp(ctx) });
    log(`attached the ${format} metadata document beside the dataset`);
  } catch (error) {
    log(`WARNING the metadata document beside the dataset was not used: ${(error as Error).message}`);
  }
}

/** Leaves a version whose import could not finish in `error`, and fails publishes waiting on it. */
export async function failImport(ctx: DomainContext, versionId: number, message: string, cancelled: boolean): Promise<void> {
  const version = await ctx.store.layers.findVersion(versionId);
  if (!version) return;
  const error = cancelled ? 'The import was cancelled.' : message;
  // Run again after a crash, it leaves the version as the first run did.
  if (version.status !== 'error' || version.error !== error) {
    await ctx.store.layers.updateVersion(versionId, {
      status: 'error',
      error,
      import_log: `${version.import_log}${timestamp(ctx)} ${cancelled ? 'CANCELLED' : `ERROR ${message}`}\n`,
      updated_at: timestamp(ctx),
    });
  }
  await indexLayer(ctx, version.layer_id);
  await settlePublishRequests(ctx, versionId);
}
