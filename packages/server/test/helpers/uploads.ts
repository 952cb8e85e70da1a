/**
 * Upload-source helpers: multipart uploads over real HTTP, scan polling, and real test data
 * written by ogr2ogr from the packaged public TopoJSON datasets (us-atlas, world-atlas).
 * Expected feature counts, geometry types and extents come from `ogrinfo`, not from this file.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import yazl from 'yazl';
import { adminToken, type TestServer } from './server.js';

export interface UploadFile {
  /** The multipart file name, which is the upload path. */
  name: string;
  data: Buffer;
}

export interface UploadOptions {
  /** Defaults to the admin token; null sends no Authorization header. */
  token?: string | null;
  /** Owning group id, sent in the `source` JSON. */
  group?: number;
  /** Extra fields merged into the `source` JSON. */
  extra?: Record<string, unknown>;
  /** The raw text of the `source` part, instead of JSON built from title/group/extra; null leaves the part out. */
  rawSource?: string | null;
  /** Multipart field names for the files, instead of file0..fileN. */
  fieldNames?: string[];
  /** Extra text parts, appended after the `source` part and before the files. */
  fields?: Array<[string, string]>;
  /** Gives up (throws) after this long. @default 30000 */
  timeoutMs?: number;
}

export interface UploadResult<T = any> {
  response: Response;
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** POSTs a Koordinates-style multipart upload: a `source` JSON part and file0..fileN. */
export async function uploadSource(
  server: TestServer,
  title: string,
  files: UploadFile[],
  opts: UploadOptions = {},
): Promise<UploadResult> {
  const form = new FormData();
  if (opts.rawSource !== null) {
    const source = opts.rawSource ?? JSON.stringify({ title, ...(opts.group !== undefined && { group: opts.group }), ...opts.extra });
    form.append('source', source);
  }
  for (const [name, value] of opts.fields ?? []) form.append(name, value);
  files.forEach((file, index) => {
    form.append(opts.fieldNames?.[index] ?? `file${index}`, new Blob([new Uint8Array(file.data)]), file.name);
  });
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = opts.token === undefined ? adminToken : opts.token;
  if (token !== null) headers.authorization = `key ${token}`;
  const response = await fetch(`${server.api}sources/`, {
    method: 'POST',
    headers,
    body: form,
    redirect: 'manual',
    signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
  });
  const text = await response.text();
  let body: unknown = undefined;
  if (text && (response.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { response, status: response.status, headers: response.headers, body: body as any, text };
}

export const finishedScanStates = ['completed', 'error', 'cancelled'];

/**
 * Polls a scan until it has finished and returns its body. Give a scan URL (…/scans/{sid}/), or
 * a source URL or id to follow that source's latest scan.
 */
export async function waitForScan(server: TestServer, sourceUrlOrId: string | number, token?: string, timeoutMs = 20_000): Promise<any> {
  const target =
    typeof sourceUrlOrId === 'number'
      ? `sources/${sourceUrlOrId}/scans/`
      : /\/scans\/\d+\/$/.test(sourceUrlOrId)
        ? sourceUrlOrId
        : `${sourceUrlOrId.replace(/\/?$/, '/')}scans/`;
  const isList = target.endsWith('/scans/');
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const res = await server.request('GET', target, { token });
    if (res.status !== 200) throw new Error(`GET ${target}: ${res.status} ${res.text}`);
    const scan = isList ? res.body[0] : res.body;
    last = scan;
    if (scan && finishedScanStates.includes(scan.status)) return scan;
    if (Date.now() > deadline) throw new Error(`scan did not finish within ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What `ogrinfo -so -al` says of one layer. */
export interface OgrLayerInfo {
  name: string;
  /** ogrinfo's "Geometry:" line, e.g. "Multi Polygon"; null for "None". */
  geometryType: string | null;
  featureCount: number;
  /** [minx, miny, maxx, maxy] in the layer's own CRS, or null. */
  extent: [number, number, number, number] | null;
}

/** Runs `ogrinfo -so -al` and parses each layer's geometry type, feature count and extent. */
export function ogrInfo(path: string, openOptions: string[] = []): OgrLayerInfo[] {
  const args = ['-so', '-al', ...openOptions.flatMap((o) => ['-oo', o]), path];
  const out = execFileSync('ogrinfo', args, { encoding: 'utf8' });
  const layers: OgrLayerInfo[] = [];
  for (const block of out.split(/^Layer name: /m).slice(1)) {
    const name = block.slice(0, block.indexOf('\n')).trim();
    const geometry = /^Geometry: (.+)$/m.exec(block)?.[1]?.trim() ?? null;
    const count = /^Feature Count: (\d+)$/m.exec(block)?.[1];
    const extent = /^Extent: \(([-\d.e+]+), ([-\d.e+]+)\) - \(([-\d.e+]+), ([-\d.e+]+)\)$/m.exec(block);
    if (count === undefined) throw new Error(`ogrinfo gave no feature count for ${path} layer ${name}:\n${out}`);
    layers.push({
      name,
      geometryType: geometry === null || geometry === 'None' ? null : geometry,
      featureCount: Number(count),
      extent: extent ? [Number(extent[1]), Number(extent[2]), Number(extent[3]), Number(extent[4])] : null,
    });
  }
  if (layers.length === 0) throw new Error(`ogrinfo found no layers in ${path}:\n${out}`);
  return layers;
}

export interface Fixture {
  /** Absolute path of the file to upload. */
  path: string;
  /** Its file name, which is used as the upload name. */
  name: string;
  /** The dataset's layers, as ogrinfo reports them (for a zip: its dataset inside). */
  layers: OgrLayerInfo[];
}

export interface Fixtures {
  dir: string;
  /** states.zip: states.shp/.shx/.dbf/.prj in EPSG:4326 (ESRI-style .prj, as ogr2ogr writes). */
  statesShpZip: Fixture;
  /** The loose parts of that Shapefile. */
  statesShpParts: { shp: string; shx: string; dbf: string; prj: string };
  /** conus.zip: conus_albers.*, the conterminous states in EPSG:5070 (.prj says NAD_1983_Contiguous_USA_Albers). */
  conusShpZip: Fixture;
  /** albers.zip: states_albers.*, every state and territory in EPSG:5070. */
  albersShpZip: Fixture;
  /** us.gpkg with two layers, `states` and `nation`. */
  gpkg: Fixture;
  /** World countries (countries-110m) as GeoJSON. */
  countriesGeojson: Fixture;
  statesGeojsonSeq: Fixture;
  statesFgb: Fixture;
  countriesKml: Fixture;
  statesGml: Fixture;
  /** The .xsd ogr2ogr writes beside the GML. */
  statesGmlXsd: string;
  /** Points on the states' surfaces, as lon and lat columns (no CRS). */
  lonLatCsv: Fixture;
  /** States with a WKT column, as ogr2ogr writes it (GEOMETRY=AS_WKT). */
  wktCsv: Fixture;
  /** The same, its geometry column named `the_geom`. */
  theGeomCsv: Fixture;
  /** States' ids and names only: a table. */
  tableCsv: Fixture;
}

const requireHere = createRequire(import.meta.url);

/** Absolute path of a file in a packaged public dataset, e.g. `us-atlas/states-10m.json`. */
export function packagedData(spec: string): string {
  const [pkg, file] = spec.split('/') as [string, string];
  return join(dirname(requireHere.resolve(`${pkg}/package.json`)), file);
}

function ogr2ogr(args: string[]): void {
  execFileSync('ogr2ogr', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Zips files (flat, no folders) with the `zip` CLI. */
export function zipFiles(zipPath: string, files: string[]): void {
  execFileSync('zip', ['-q', '-j', zipPath, ...files]);
}

function fixture(path: string, openOptions: string[] = []): Fixture {
  return { path, name: basename(path), layers: ogrInfo(path, openOptions) };
}

/** Writes every test dataset into `dir` with ogr2ogr and zip. Takes a couple of seconds. */
export function makeFixtures(dir: string): Fixtures {
  const states = packagedData('us-atlas/states-10m.json');
  const countries = packagedData('world-atlas/countries-110m.json');
  mkdirSync(dir, { recursive: true });

  const shpDir = join(dir, 'shp');
  mkdirSync(shpDir);
  const shp = join(shpDir, 'states.shp');
  ogr2ogr(['-f', 'ESRI Shapefile', '-a_srs', 'EPSG:4326', '-nlt', 'PROMOTE_TO_MULTI', shp, states, 'states']);
  const statesShpParts = { shp, shx: join(shpDir, 'states.shx'), dbf: join(shpDir, 'states.dbf'), prj: join(shpDir, 'states.prj') };
  const statesZip = join(dir, 'states.zip');
  zipFiles(statesZip, Object.values(statesShpParts));

  // EPSG:5070 (NAD83 / Conus Albers): ogr2ogr writes the ESRI-style .prj NAD_1983_Contiguous_USA_Albers.
  const albers = (zipName: string, stem: string, extra: string[]): Fixture => {
    const folder = join(dir, zipName);
    mkdirSync(folder);
    const path = join(folder, `${stem}.shp`);
    ogr2ogr(['-f', 'ESRI Shapefile', '-s_srs', 'EPSG:4326', '-t_srs', 'EPSG:5070', '-nlt', 'PROMOTE_TO_MULTI', ...extra, path, states, 'states']);
    const prj = readFileSync(join(folder, `${stem}.prj`), 'utf8');
    if (!prj.includes('NAD_1983_Contiguous_USA_Albers')) throw new Error(`expected an ESRI-style .prj, got ${prj}`);
    const zip = join(dir, `${zipName}.zip`);
    zipFiles(zip, ['shp', 'shx', 'dbf', 'prj'].map((ext) => join(folder, `${stem}.${ext}`)));
    return { path: zip, name: `${zipName}.zip`, layers: ogrInfo(path) };
  };
  // The conterminous states only (those meeting the box, given in the source's lon/lat).
  const conusShpZip = albers('conus', 'conus_albers', ['-spat', '-125', '24', '-66', '50']);
  // Every state and territory, from Guam to the Virgin Islands and across the antimeridian.
  const albersShpZip = albers('albers', 'states_albers', []);

  const gpkg = join(dir, 'us.gpkg');
  ogr2ogr(['-f', 'GPKG', '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON', gpkg, states, 'states']);
  ogr2ogr(['-f', 'GPKG', '-update', '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON', gpkg, states, 'nation']);

  const geojson = join(dir, 'countries.geojson');
  ogr2ogr(['-f', 'GeoJSON', '-a_srs', 'EPSG:4326', geojson, countries, 'countries']);
  const geojsonSeq = join(dir, 'states.geojsonl');
  ogr2ogr(['-f', 'GeoJSONSeq', '-a_srs', 'EPSG:4326', geojsonSeq, states, 'states']);
  const fgb = join(dir, 'states.fgb');
  ogr2ogr(['-f', 'FlatGeobuf', '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON', fgb, states, 'states']);
  const kml = join(dir, 'countries.kml');
  ogr2ogr(['-f', 'KML', '-a_srs', 'EPSG:4326', kml, countries, 'countries']);
  const gml = join(dir, 'states.gml');
  ogr2ogr(['-f', 'GML', '-a_srs', 'EPSG:4326', gml, states, 'states']);

  const lonLat = join(dir, 'places.csv');
  ogr2ogr([
    '-f', 'CSV', '-dialect', 'sqlite',
    '-sql', 'SELECT id, name, ST_X(ST_PointOnSurface(geometry)) AS lon, ST_Y(ST_PointOnSurface(geometry)) AS lat FROM states',
    lonLat, states,
  ]);
  const wkt = join(dir, 'states_wkt.csv');
  ogr2ogr(['-f', 'CSV', '-lco', 'GEOMETRY=AS_WKT', wkt, states, 'states']);
  const theGeom = join(dir, 'states_the_geom.csv');
  const wktText = readFileSync(wkt, 'utf8');
  if (!wktText.startsWith('WKT,')) throw new Error(`unexpected CSV header: ${wktText.slice(0, 40)}`);
  writeFileSync(theGeom, `the_geom,${wktText.slice(4)}`);
  const table = join(dir, 'state_names.csv');
  ogr2ogr(['-f', 'CSV', table, states, 'states']);

  return {
    dir,
    statesShpZip: { path: statesZip, name: 'states.zip', layers: ogrInfo(shp) },
    statesShpParts,
    conusShpZip,
    albersShpZip,
    gpkg: fixture(gpkg),
    countriesGeojson: fixture(geojson),
    statesGeojsonSeq: fixture(geojsonSeq),
    statesFgb: fixture(fgb),
    countriesKml: fixture(kml),
    statesGml: fixture(gml),
    statesGmlXsd: join(dir, 'states.xsd'),
    lonLatCsv: fixture(lonLat, ['X_POSSIBLE_NAMES=lon', 'Y_POSSIBLE_NAMES=lat']),
    wktCsv: fixture(wkt),
    theGeomCsv: fixture(theGeom, ['GEOM_POSSIBLE_NAMES=the_geom', 'KEEP_GEOM_COLUMNS=NO']),
    tableCsv: fixture(table),
  };
}

/** A fixture file as an upload part, under its own name or `as`. */
export function part(path: string, as = basename(path)): UploadFile {
  return { name: as, data: readFileSync(path) };
}

export interface RawZipEntry {
  /** Stored verbatim, even `../x` or `/etc/x`, which yazl itself refuses. */
  name: string;
  data: Buffer;
  compress?: boolean;
}

/**
 * Builds a zip in memory with yazl. Names yazl would refuse (`../evil.txt`, `/etc/x`) are
 * written under a same-length placeholder and then patched in the local and central headers;
 * file names are not covered by the CRC, so the archive stays valid.
 */
export async function buildZip(entries: RawZipEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const patches: Array<[Buffer, Buffer]> = [];
  entries.forEach((entry, index) => {
    let name = entry.name;
    const unsafe = name.startsWith('/') || name.split('/').includes('..');
    if (unsafe) {
      const placeholder = `${String(index).padStart(name.length, 'q')}`.slice(-name.length);
      if (placeholder.length !== name.length) throw new Error('name too short to patch');
      patches.push([Buffer.from(placeholder), Buffer.from(name)]);
      name = placeholder;
    }
    zip.addBuffer(entry.data, name, { compress: entry.compress ?? true });
  });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const buffer = Buffer.concat(chunks);
  for (const [from, to] of patches) {
    let at = buffer.indexOf(from);
    let count = 0;
    while (at !== -1) {
      to.copy(buffer, at);
      count++;
      at = buffer.indexOf(from, at + from.length);
    }
    if (count !== 2) throw new Error(`patched ${count} copies of an entry name, expected 2`);
  }
  return buffer;
}
