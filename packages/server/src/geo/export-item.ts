import { join } from 'node:path';
import type { ExportFormat } from './export-formats.js';
import { clipInSource, writeClipFile, type Bbox, type CropPolygon } from './crop.js';
import { clipKeepsAny, croppedSelect, dimensionOf } from './crop-sql.js';
import { styleKml } from './kml-style.js';
import { ogr2ogr } from './ogr2ogr.js';

export interface ExportItemOptions {
  /** The version's GeoPackage, and its layer. */
  source: string;
  sourceLayer: string;
  /** e.g. `MultiPolygon`, or null for a table. */
  geometryType: string | null;
  format: ExportFormat;
  /** The folder to write into, and the base name of the files (and the layer name inside them). */
  folder: string;
  baseName: string;
  layerName: string;
  /** `EPSG:xxxx`; ignored for tables and for formats with a fixed CRS. */
  crs: string | null;
  /** Where to cut the item (lon/lat): the export's crop, narrowed to the CRS's area of use (see `exportClip`). */
  crop: CropPolygon | null;
  /** The crop keeps nothing of the item (it and the area of use don't meet): the layer is written, empty. */
  keepNothing?: boolean;
  /** `#RRGGBB`, for styled formats. */
  color: string | null;
  /** Where the clip polygon file may be written. */
  scratch: string;
  signal: AbortSignal;
  onProgress: (fraction: number) => void;
}

/**
 * Writes one version into the requested format with ogr2ogr, reprojected with `-t_srs` and cut
 * exactly at the crop polygon: points with `-clipsrc` (read first through the polygon's bbox with
 * `-spat`, which uses the GeoPackage's R-tree), lines and polygons in SQL (`croppedSelect`).
 */
export async function exportItem(options: ExportItemOptions): Promise<string> {
  const { format } = options;
  const path = `${options.baseName}.${format.extension}`;
  const args = ['-f', format.driver, join(options.folder, path), options.source, '-nln', options.layerName];
  for (const option of format.layerCreationOptions ?? []) args.push('-lco', option);
  if (format.driver === 'CSV' && options.geometryType !== null) args.push('-lco', 'GEOMETRY=AS_WKT');
  // SQLite's default 2 MB page cache makes GeoPackage reads and writes churn the OS cache (a
  // quarter of the time went to the kernel on 1M points); the output is scratch until zipped,
  // so it needs no fsync.
  if (format.driver === 'GPKG') args.push('-gt', '65536', '--config', 'OGR_SQLITE_SYNCHRONOUS', 'OFF');
  args.push('--config', 'OGR_SQLITE_CACHE', '64');
  // A crop the data's CRS can't express keeps nothing: the layer is written, empty.
  let keepNone = options.keepNothing === true;
  let sql: string | null = null;
  if (options.geometryType !== null) {
    const crs = format.fixedCrs ?? options.crs;
    if (crs) args.push('-t_srs', crs);
    // Lines and polygons are cut in SQL; points with -clipsrc.
    const parts = dimensionOf(options.geometryType);
    const dimension = parts === 'point' ? null : parts;
    if (keepNone) {
      // Nothing to cut: the empty result keeps the layer's own type.
    } else if (options.crop && dimension) {
      // Lines and polygons are cut in SQL (see croppedSelect); the result has every feature
      // multi, as formats with one geometry type per layer need.
      const clip = await clipInSource(options.crop, options.source, options.sourceLayer);
      // A SQL result without rows has no geometry column for GDAL to see, so ogr2ogr would write
      // no layer: a crop that keeps nothing (allow_empty) writes the layer empty instead.
      if (clip && (await clipKeepsAny(options.source, options.sourceLayer, clip, dimension))) {
        sql = await croppedSelect(options.source, options.sourceLayer, clip, dimension);
        args.push('-dialect', 'SQLite', '-sql', sql, '-nlt', dimension === 'polygon' ? 'MULTIPOLYGON' : 'MULTILINESTRING');
        // A SQL result carries no CRS of its own.
        if (clip.srsWkt) args.push('-s_srs', clip.srsWkt);
      } else keepNone = true;
    } else if (options.crop) {
      const clipFile = join(options.scratch, `${options.baseName}-clip.gpkg`);
      const bbox: Bbox | null = await writeClipFile(clipFile, options.crop, options.source, options.sourceLayer);
      if (bbox) args.push('-clipsrc', clipFile, '-spat', ...bbox.map(String));
      else keepNone = true;
    }
  }
  if (keepNone) args.push('-where', '0 = 1');
  if (!sql) args.push(options.sourceLayer);
  await ogr2ogr(args, { signal: options.signal, onProgress: options.onProgress });
  if (format.styled && options.color && options.geometryType !== null) await styleKml(join(options.folder, path), options.color, options.signal);
  return path;
}
