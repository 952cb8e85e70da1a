import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exportItem } from '../geo/export-item.js';
import { findExportFormat } from '../geo/export-formats.js';
import { versionLayerName } from '../geo/import.js';
import { zipFolder } from '../files/zip-write.js';
import { PermanentJobError } from '../jobs/job-kind.js';
import { timestamp, type DomainContext } from './context.js';
import { absolute, dataPaths, withoutServerPaths } from './data-paths.js';
import { itemClip } from './exports.js';
import { versionMetadata } from './layer-metadata.js';

/** Share of the progress bar the zipping takes; GDAL's writing takes the rest. */
const zipShare = 0.1;

/** A layer name every format accepts (File Geodatabase wants a letter first, SQL-safe characters). */
const layerNameOf = (baseName: string) => (/^[a-z]/.test(baseName) ? baseName : `l_${baseName}`).replace(/-/g, '_');

function licenceText(license: { title: string; url: string | null; text: string }): string {
  return [license.title, license.url ?? '', '', license.text].join('\n').trim() + '\n';
}

/**
 * Runs an export: each item through ogr2ogr into the run's `scratch` folder with its metadata and
 * licence, then one zip, written under a scratch name and moved into place at the end, so a
 * partial archive is never served. Safe to re-run from the start after a crash.
 */
export async function performExport(ctx: DomainContext, exportId: number, signal: AbortSignal, scratch: string): Promise<void> {
  const { store } = ctx;
  const row = await store.exports.findById(exportId);
  if (!row || row.state !== 'processing') return;
  const { items, formats, crop_geometry: crop } = row;

  let lastWrite = 0;
  const report = (fraction: number) => {
    // Progress is for people watching; a write a second is plenty.
    if (Date.now() - lastWrite < 1000) return;
    lastWrite = Date.now();
    void store.exports.update(exportId, { progress: Math.min(0.99, Math.round(fraction * 1000) / 1000) });
  };
  await store.exports.update(exportId, { progress: 0, error: null, updated_at: timestamp(ctx) });

  try {
    const content = join(scratch, 'content');
    const weights = await Promise.all(items.map(async (item) => Math.max(1, (await store.layers.findLayerVersion(item.version_id))?.feature_count ?? 1)));
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    let done = 0;
    for (const [i, item] of items.entries()) {
      const version = await store.layers.findLayerVersion(item.version_id);
      if (!version?.data_file) throw new PermanentJobError(`Version ${item.version_id} of ${item.type} ${item.layer_id} no longer has data; it was deleted.`);
      const format = findExportFormat(item.kind, formats[item.kind] ?? '');
      if (!format) throw new PermanentJobError(`No ${item.kind} format is set for this export.`);
      const folder = join(content, item.base_name);
      await mkdir(folder, { recursive: true });
      const share = (weights[i]! / totalWeight) * (1 - zipShare);
      // The crop, narrowed to the area of use of the CRS the item is written in (as validation said).
      const clip = itemClip(version, format, row.crs, crop);
      await exportItem({
        source: absolute(ctx.dataDir, version.data_file),
        sourceLayer: versionLayerName,
        geometryType: version.geometry_type,
        format,
        folder,
        baseName: item.base_name,
        layerName: layerNameOf(item.base_name),
        crs: row.crs,
        crop: clip.crop,
        keepNothing: clip.keepsNothing,
        color: item.color,
        scratch,
        signal,
        onProgress: (fraction) => report(done + fraction * share),
      }).catch((error: Error) => {
        if (signal.aborted) throw error;
        throw new PermanentJobError(`GDAL could not write ${item.type} ${item.layer_id} ("${item.title}") as ${format.displayName}: ${withoutServerPaths(error.message, ctx.dataDir)}`);
      });
      done += share;
      await writeFile(join(folder, `${item.base_name}.iso.xml`), await versionMetadata(ctx, version, 'iso', item.layer_url, item.metadata_url ?? new URL('/metadata/v1', item.layer_url).href));
      const license = version.license_id === null ? undefined : await store.licenses.findById(version.license_id);
      if (license) await writeFile(join(folder, `${item.base_name}.license.txt`), licenceText(license));
      report(done);
    }

    const zipped = join(scratch, 'export.zip');
    const written = await zipFolder(content, zipped, (fraction) => report(done + fraction * zipShare), signal);
    const file = dataPaths.exportFile(exportId, row.name);
    await rm(absolute(ctx.dataDir, dataPaths.exportFolder(exportId)), { recursive: true, force: true });
    await mkdir(dirname(absolute(ctx.dataDir, file)), { recursive: true });
    await rename(zipped, absolute(ctx.dataDir, file));
    // Scratch goes before the export reads as complete, so a finished export leaves nothing behind.
    await rm(scratch, { recursive: true, force: true });
    const at = ctx.now();
    // A layer deleted meanwhile must not stay downloadable: checked with the settle, in one transaction.
    const settled = await store.transaction(async (repos) => {
      for (const item of items) {
        if (!(await repos.layers.findLayerVersion(item.version_id))?.data_file) {
          throw new PermanentJobError(`${item.type} ${item.layer_id} ("${item.title}") was deleted while it was being exported.`);
        }
      }
      return repos.exports.settle(exportId, {
        state: 'complete',
        progress: 1,
        file,
        file_size: written.size,
        file_etag: written.sha256,
        completed_at: at.toISOString(),
        expires_at: new Date(at.getTime() + ctx.settings.exportTtl * 1000).toISOString(),
        updated_at: at.toISOString(),
      });
    });
    // Cancelled while the zip was moved into place: the cancel won, so the file goes.
    if (!settled) await removeExportFiles(ctx, exportId);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function removeExportFiles(ctx: DomainContext, exportId: number): Promise<void> {
  await rm(absolute(ctx.dataDir, dataPaths.exportFolder(exportId)), { recursive: true, force: true });
}

/** Leaves an export that could not finish in `error` (or `cancelled`), without files. */
export async function failExport(ctx: DomainContext, exportId: number, message: string, cancelled: boolean): Promise<void> {
  await removeExportFiles(ctx, exportId);
  await ctx.store.exports.settle(exportId, {
    state: cancelled ? 'cancelled' : 'error',
    error: cancelled ? 'Cancelled.' : message,
    updated_at: timestamp(ctx),
  });
}

/** Deletes the files of completed exports past their expiry; they become `gone`. Returns how many. */
export async function expireExports(ctx: DomainContext): Promise<number> {
  const expired = await ctx.store.exports.listExpired(timestamp(ctx));
  for (const row of expired) {
    await removeExportFiles(ctx, row.id);
    await ctx.store.exports.update(row.id, { state: 'gone', file: null, updated_at: timestamp(ctx) });
  }
  return expired.length;
}
