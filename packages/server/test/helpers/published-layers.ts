/**
 * Published layers and tables for tests that need data to act on (exports, and the like):
 * upload a file as a source and wait for its scan, create a layer or table from one of its
 * datasources and wait for the import, then publish the version and wait for the publish
 * request to complete. Everything goes through HTTP against a real server, as a client would.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminToken, type TestServer } from './server.js';
import { part, uploadSource, waitForScan } from './uploads.js';

export interface Datasource {
  id: number;
  url?: string;
  /** The layer name inside the uploaded file. */
  layer: string;
  data_type: 'vector' | 'table';
}

export interface PublishedLayer {
  id: number;
  url: string;
  type: 'layer' | 'table';
  title: string;
  version: { id: number; url: string; number: number; status: string; published_at: string | null };
  data: { feature_count: number | null; crs: string | null; [key: string]: unknown };
  [key: string]: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const importing = ['queued', 'importing'];

/** Runs ogr2ogr quietly; its stderr comes with the error if it fails. */
export function ogr2ogr(args: string[]): void {
  execFileSync('ogr2ogr', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A GET that must answer 200; returns the body. */
async function get<T = any>(server: TestServer, path: string, token: string): Promise<T> {
  const res = await server.request('GET', path, { token });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`);
  return res.body as T;
}

/**
 * Uploads a file as a new source (owned by `group` if given), waits for its scan to complete,
 * and returns the datasources it found.
 */
export async function uploadDatasources(
  server: TestServer,
  title: string,
  path: string,
  options: { group?: number; token?: string } = {},
): Promise<Datasource[]> {
  const token = options.token ?? adminToken;
  const res = await uploadSource(server, title, [part(path)], { token, ...(options.group !== undefined && { group: options.group }) });
  if (res.status !== 201) throw new Error(`upload ${title}: ${res.status} ${res.text}`);
  const scan = await waitForScan(server, res.body.id as number, token);
  if (scan.status !== 'completed') throw new Error(`scan of ${title}: ${JSON.stringify(scan)}`);
  return get<Datasource[]>(server, `sources/${res.body.id}/datasources/?page_size=100`, token);
}

/** The datasource for `layer` (the layer name inside the uploaded file), or an error listing them. */
export function datasourceFor(list: Datasource[], layer: string): Datasource {
  const found = list.find((d) => d.layer === layer);
  if (!found) throw new Error(`no datasource ${layer} in ${JSON.stringify(list)}`);
  return found;
}

/** Polls a layer or version URL until its version has finished importing; it must be `ok`. */
export async function waitForImport(server: TestServer, versionUrl: string, token = adminToken, timeoutMs = 60_000): Promise<PublishedLayer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const layer = await get<PublishedLayer>(server, versionUrl, token);
    if (!importing.includes(layer.version.status)) {
      if (layer.version.status !== 'ok') throw new Error(`import of ${versionUrl} ended ${layer.version.status}: ${JSON.stringify(layer.version)}`);
      return layer;
    }
    if (Date.now() > deadline) throw new Error(`import of ${versionUrl} did not finish in ${timeoutMs} ms: ${JSON.stringify(layer.version)}`);
    await sleep(100);
  }
}

/**
 * POSTs `layers/` or `tables/` with `{title, group?, data: {datasources: [id]}}` and waits for
 * the first version's import.
 */
export async function importedLayer(
  server: TestServer,
  collection: 'layers' | 'tables',
  body: Record<string, unknown>,
  token = adminToken,
): Promise<PublishedLayer> {
  const created = await server.request('POST', `${collection}/`, { body, token });
  if (created.status !== 201) throw new Error(`POST ${collection}/: ${created.status} ${created.text}`);
  return waitForImport(server, (created.body as PublishedLayer).version.url, token);
}

/** Publishes a version (`POST {version}publish/`) and polls the publish request until it has completed. */
export async function publishVersion(server: TestServer, versionUrl: string, token = adminToken, timeoutMs = 30_000): Promise<void> {
  const publish = await server.request('POST', `${versionUrl}publish/`, { body: {}, token });
  if (publish.status !== 201) throw new Error(`publish ${versionUrl}: ${publish.status} ${publish.text}`);
  const deadline = Date.now() + timeoutMs;
  let state = publish.body.state as string;
  while (state === 'pending' || state === 'publishing') {
    if (Date.now() > deadline) throw new Error(`publish of ${versionUrl} did not finish in ${timeoutMs} ms (state ${state})`);
    await sleep(100);
    state = (await get(server, publish.body.url as string, token)).state;
  }
  if (state !== 'completed') throw new Error(`publish of ${versionUrl} ended ${state}`);
}

/** Creates a layer or table from a datasource, waits for its import, publishes it, and returns it as published. */
export async function publishedLayer(
  server: TestServer,
  collection: 'layers' | 'tables',
  body: Record<string, unknown>,
  token = adminToken,
): Promise<PublishedLayer> {
  const layer = await importedLayer(server, collection, body, token);
  await publishVersion(server, layer.version.url, token);
  return get<PublishedLayer>(server, layer.url, token);
}

/** ogr2ogr options that read a CSV's lon and lat columns as EPSG:4326 points. */
export const csvPointOptions = ['-oo', 'X_POSSIBLE_NAMES=lon', '-oo', 'Y_POSSIBLE_NAMES=lat', '-oo', 'KEEP_GEOM_COLUMNS=NO', '-oo', 'AUTODETECT_TYPE=YES', '-a_srs', 'EPSG:4326', '-nlt', 'POINT'];

export interface PointGrid {
  /** @default 25 */
  columns?: number;
  /** @default 20 */
  rows?: number;
  /** South-west point, lon and lat. @default [166.0137, -46.9871] */
  origin?: [number, number];
  /** Spacing in degrees, lon and lat. @default [0.35, 0.3] */
  step?: [number, number];
  /** Adds layers of the first N points (`grid_60` for 60). */
  subsets?: number[];
}

/**
 * Writes `points.gpkg` into `dir` with a layer `grid`: a grid of points over New Zealand (by
 * default 500, offset so no point sits on a coastline vertex) with id, name and value. Returns
 * the file's path.
 */
export function writePointGrid(dir: string, grid: PointGrid = {}): string {
  const { columns = 25, rows: rowCount = 20, origin = [166.0137, -46.9871], step = [0.35, 0.3], subsets = [] } = grid;
  const rows = ['id,name,value,lon,lat'];
  for (let i = 0; i < columns; i++) {
    for (let j = 0; j < rowCount; j++) {
      const id = i * rowCount + j + 1;
      rows.push(`${id},p-${i}-${j},${(id * 1.5).toFixed(1)},${(origin[0] + i * step[0]).toFixed(4)},${(origin[1] + j * step[1]).toFixed(4)}`);
    }
  }
  const csv = join(dir, 'grid.csv');
  writeFileSync(csv, `${rows.join('\n')}\n`);
  const gpkg = join(dir, 'points.gpkg');
  ogr2ogr(['-f', 'GPKG', ...csvPointOptions, '-nln', 'grid', gpkg, csv]);
  for (const n of subsets) ogr2ogr(['-f', 'GPKG', '-update', ...csvPointOptions, '-nln', `grid_${n}`, '-where', `id <= ${n}`, gpkg, csv]);
  return gpkg;
}
