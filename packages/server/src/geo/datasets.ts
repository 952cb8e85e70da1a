/**
 * Finding and describing the datasets in an upload folder. A datasource is one layer of one
 * dataset file; CSVs with coordinate or WKT columns are opened through a small OGR VRT.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative } from 'node:path';
import gdal from 'gdal-async';
import { geometryTypeName, identifyCrs, layerExtent4326, type CrsInfo } from './gdal.js';

/**
 * What an upload's extension says it is: the format Mapshelf names, and the only GDAL drivers
 * allowed to open it. GDAL otherwise picks a driver by content, so an OGR VRT document named
 * `roads.csv` would be opened as a VRT and read whatever files or URLs it names. None of these
 * drivers reads other files than the dataset's own parts.
 */
interface UploadFormat {
  format: string;
  drivers: readonly string[];
  /**
   * One dataset at a time, from open to close, each driver tried three times: LIBKML's opens fail
   * now and then (11 of 40 concurrent opens measured), and GDAL then falls back to the KML
   * driver, which reads other fields (a rescan then "updated" a KML datasource that never changed).
   */
  exclusive?: boolean;
}

const uploadFormats = new Map<string, UploadFormat>([
  ['.gpkg', { format: 'GeoPackage', drivers: ['GPKG'] }],
  ['.shp', { format: 'ESRI Shapefile', drivers: ['ESRI Shapefile'] }],
  ['.geojson', { format: 'GeoJSON', drivers: ['GeoJSON'] }],
  ['.json', { format: 'GeoJSON', drivers: ['GeoJSON', 'TopoJSON', 'ESRIJSON'] }],
  ['.geojsonl', { format: 'GeoJSONSeq', drivers: ['GeoJSONSeq'] }],
  ['.geojsons', { format: 'GeoJSONSeq', drivers: ['GeoJSONSeq'] }],
  ['.geojsonseq', { format: 'GeoJSONSeq', drivers: ['GeoJSONSeq'] }],
  ['.fgb', { format: 'FlatGeobuf', drivers: ['FlatGeobuf'] }],
  ['.kml', { format: 'KML', drivers: ['LIBKML', 'KML'], exclusive: true }],
  ['.kmz', { format: 'KMZ', drivers: ['LIBKML'], exclusive: true }],
  ['.gml', { format: 'GML', drivers: ['GML'] }],
  ['.csv', { format: 'CSV', drivers: ['CSV'] }],
]);

const uploadFormat = (path: string): UploadFormat | undefined => uploadFormats.get(extname(path).toLowerCase());

const lonNames = ['lon', 'long', 'lng', 'longitude', 'x'];
const latNames = ['lat', 'latitude', 'y'];
const wktNames = ['wkt', 'geometry', 'geom', 'the_geom', 'shape'];

export interface DatasetFile {
  /** Relative to the source folder, with forward slashes. */
  path: string;
  format: string;
  /** The same-basename .xml beside it, if any. */
  metadataPath: string | null;
}

export interface DatasetProblem {
  path: string;
  message: string;
}

async function walk(folder: string, under = folder): Promise<string[]> {
  const entries = await readdir(under, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(under, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(folder, path)));
    else if (entry.isFile()) files.push(relative(folder, path).split('\\').join('/'));
  }
  return files.sort();
}

function withoutExtension(path: string): string {
  return path.slice(0, path.length - extname(path).length);
}

/** Lists the dataset files in a folder, and the problems that keep others from being read. */
export async function findDatasets(folder: string): Promise<{ datasets: DatasetFile[]; problems: DatasetProblem[] }> {
  const files = await walk(folder);
  const lower = new Map(files.map((f) => [f.toLowerCase(), f]));
  const datasets: DatasetFile[] = [];
  const problems: DatasetProblem[] = [];
  for (const path of files) {
    const format = uploadFormat(path)?.format;
    if (!format) continue;
    const stem = withoutExtension(path).toLowerCase();
    if (format === 'ESRI Shapefile') {
      const missing = ['.shx', '.dbf'].filter((ext) => !lower.has(stem + ext));
      if (missing.length > 0) {
        problems.push({ path, message: `this Shapefile lacks its ${missing.join(' and ')} file; upload all of its parts together` });
        continue;
      }
    }
    // A .json beside a same-named dataset is more likely a sidecar than a GeoJSON of its own.
    if (extname(path).toLowerCase() === '.json' && files.some((f) => f !== path && withoutExtension(f).toLowerCase() === stem && uploadFormat(f))) continue;
    datasets.push({ path, format, metadataPath: lower.get(`${stem}.xml`) ?? null });
  }
  return { datasets, problems };
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The end of the last exclusive use of a dataset (see `UploadFormat.exclusive`). */
let queue: Promise<unknown> = Promise.resolve();

/** Runs `work` after every earlier call's work has ended; an abort while it waits gives up its turn. */
function oneAtATime<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const turn = queue;
  const result = new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal!.reason);
    signal?.addEventListener('abort', abort, { once: true });
    void turn.then(() => {
      signal?.removeEventListener('abort', abort);
      if (signal?.aborted) return reject(signal.reason);
      return work().then(resolve, reject);
    });
  });
  // The next in line waits for this one's work, not for its abort.
  queue = turn.then(() => result).catch(() => undefined);
  return result;
}

/** Thrown when an upload can't be opened as what its name says; the message names no server path. */
export class UnreadableDatasetError extends Error {
  override name = 'UnreadableDatasetError';
}

/**
 * Opens an uploaded dataset read-only, with only the drivers its extension allows, runs `work`
 * on it and closes it. Formats read through LIBKML are used one at a time, from open to close.
 */
export async function useDataset<T>(path: string, work: (dataset: gdal.Dataset) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const format = uploadFormat(path);
  // Callers join upload paths under the data folder; anything else is not an upload.
  if (!format || !isAbsolute(path) || path.startsWith('/vsi')) throw new UnreadableDatasetError('is not a dataset file Mapshelf reads');
  const use = async () => {
    const dataset = await openDataset(path, format);
    try {
      return await work(dataset);
    } finally {
      dataset.close();
    }
  };
  return format.exclusive ? oneAtATime(use, signal) : use();
}

/**
 * Opens an uploaded dataset for reading, with the drivers its format allows. A CSV with
 * lon/lat columns, or a WKT column under a common name, is wrapped in a VRT of Mapshelf's own so
 * its geometry is read (GDAL needs open options for that, which gdal-async's open() does not
 * take); the VRT names the file with GDAL's `CSV:` prefix, so it too is read only as CSV.
 */
async function openDataset(path: string, format: UploadFormat): Promise<gdal.Dataset> {
  let dataset: gdal.Dataset | null = null;
  // GDAL tries a list of drivers in turn; LIBKML, which now and then fails to open a good file,
  // gets three tries of its own first, or the KML driver would read the file with other fields.
  const attempts: Array<readonly string[]> = format.exclusive ? format.drivers.flatMap((driver) => [[driver], [driver], [driver]]) : [format.drivers];
  for (const drivers of attempts) {
    dataset = await gdal.openAsync(path, 'r', [...drivers]).catch(() => null);
    if (dataset) break;
  }
  if (!dataset) throw new UnreadableDatasetError(`is not a readable ${format.format} file`);
  if (format.format !== 'CSV') return dataset;
  let vrt: string | null;
  try {
    vrt = csvGeometryVrt(dataset, path);
  } catch (error) {
    dataset.close();
    throw error;
  }
  if (!vrt) return dataset;
  dataset.close();
  return gdal.openAsync(vrt, 'r', ['OGR_VRT']);
}

/** For a CSV read as a table that has coordinate or WKT columns, a VRT that reads them as geometry; else null. */
function csvGeometryVrt(dataset: gdal.Dataset, path: string): string | null {
  const layer = dataset.layers.get(0);
  if (layer.geomType !== gdal.wkbNone) return null;
  const names = layer.fields.getNames();
  const find = (candidates: string[]) => names.find((n) => candidates.includes(n.toLowerCase()));
  const lon = find(lonNames);
  const lat = find(latNames);
  const wkt = find(wktNames);
  const geometry =
    lon && lat
      ? `<GeometryType>wkbPoint</GeometryType><GeometryField encoding="PointFromColumns" x="${xmlEscape(lon)}" y="${xmlEscape(lat)}"/>`
      : wkt
        ? `<GeometryField encoding="WKT" field="${xmlEscape(wkt)}"/>`
        : null;
  if (!geometry) return null;
  const name = layer.name;
  return (
    `<OGRVRTDataSource><OGRVRTLayer name="${xmlEscape(name)}"><SrcDataSource>${xmlEscape(`CSV:${path}`)}</SrcDataSource>` +
    `<SrcLayer>${xmlEscape(name)}</SrcLayer>${geometry}</OGRVRTLayer></OGRVRTDataSource>`
  );
}

export interface FieldInfo {
  name: string;
  type: string;
}

export interface LayerSummary {
  name: string;
  dataType: 'vector' | 'table';
  format: string;
  geometryType: string | null;
  featureCount: number;
  crs: CrsInfo | null;
  fields: FieldInfo[];
  /** [minx, miny, maxx, maxy] in lon/lat, or null for tables and empty layers. */
  extent4326: [number, number, number, number] | null;
  /** False when text attributes are not valid in the encoding GDAL read them with. */
  textDecodes: boolean;
}

/**
 * Whether the first features' text attributes decode cleanly. GDAL honours a Shapefile's .cpg
 * (or the .dbf's code page mark); without either, bytes that are not UTF-8 turn into U+FFFD.
 */
function textDecodes(layer: gdal.Layer, sample = 1000): boolean {
  const textFields = layer.fields.map((f) => f).filter((f) => f.type === gdal.OFTString).map((f) => f.name);
  if (textFields.length === 0) return true;
  let seen = 0;
  for (let feature = layer.features.first(); feature && seen < sample; feature = layer.features.next(), seen++) {
    for (const name of textFields) {
      const value = feature.fields.get(name);
      if (typeof value === 'string' && value.includes('\uFFFD')) return false;
    }
  }
  return true;
}

/** Opens a dataset read-only and summarizes each of its layers. */
export async function describeDataset(path: string, signal?: AbortSignal): Promise<LayerSummary[]> {
  return useDataset(path, async (dataset) => {
    const summaries: LayerSummary[] = [];
    for (const layer of dataset.layers) {
      const geometryType = geometryTypeName(layer);
      summaries.push({
        name: layer.name,
        dataType: geometryType === null ? 'table' : 'vector',
        format: uploadFormat(path)?.format ?? dataset.driver.description,
        geometryType,
        featureCount: layer.features.count(),
        crs: geometryType === null ? null : await identifyCrs(layer.srs),
        fields: layer.fields.map((f) => ({ name: f.name, type: f.type })),
        extent4326: layerExtent4326(layer),
        textDecodes: textDecodes(layer),
      });
    }
    return summaries;
  }, signal);
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}

export function titleFromPath(path: string, layerName: string, layerCount: number): string {
  const stem = basename(withoutExtension(path));
  const base = layerCount > 1 ? layerName : stem;
  return base.replace(/[_-]+/g, ' ').trim() || stem;
}
