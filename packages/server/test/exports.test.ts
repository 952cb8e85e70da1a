/**
 * Exports (`/exports/`), end to end over HTTP against a running server with real GDAL: format
 * discovery (OPTIONS), every vector format written reprojected to EPSG:2193 and cropped to a
 * polygon and read back through /vsizip/ with ogrinfo, table formats, KML styles, version URLs,
 * validation and the size estimate, refused requests (each naming where the problem is),
 * permissions and ownership, downloads (Content-Length, ETag, Range, If-None-Match),
 * cancelling (the GDAL child and the scratch files go), eight exports at once, crop layers, and
 * expiry on a second server whose exports live two seconds.
 *
 * Data: a grid of 2,000 points over New Zealand (and two smaller grids for versions) generated
 * here; New Zealand and Australia cut from the packaged world-atlas countries-110m with
 * ogr2ogr; a 250-row CSV table; and 200,000 points for the slow export that gets cancelled. Each
 * expected count, extent and area comes from `ogr2ogr -t_srs … -clipsrc …` run here on the
 * same files that were uploaded, and is compared with what ogrinfo reads in the server's zip.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminToken, createUserWithToken, startTestServer, type ApiResponse, type TestServer } from './helpers/server.js';
import { packagedData } from './helpers/uploads.js';
import {
  csvPointOptions,
  datasourceFor,
  ogr2ogr,
  publishedLayer,
  publishVersion,
  uploadDatasources,
  waitForImport,
  writePointGrid,
  type PublishedLayer,
} from './helpers/published-layers.js';
import { areaOf, assertBboxClose, assertClose, epsgOf, readLayer, run, zipEntries, type Bbox } from './helpers/read-back.js';

const scope = 'exports:read exports:write layers:read layers:write sources:read sources:write users:read';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const mime = {
  gpkg: 'application/x-ogc-gpkg',
  shp: 'application/x-zipped-shp',
  csv: 'text/csv',
  kml: 'application/vnd.google-earth.kml+xml',
  geojson: 'application/geo+json',
  fgb: 'application/flatgeobuf',
  gml: 'application/gml+xml',
  tab: 'application/x-ogc-mapinfo_file',
  dxf: 'application/x-ogc-dxf',
  gdb: 'application/x-ogc-filegdb',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
} as const;

interface VectorFormat {
  mimetype: string;
  /** What the file of an item ends with, and the short name in generated export names. */
  ext: string;
  short: string;
  /** The files written beside `{base}.{ext}` (a File Geodatabase is a folder instead). */
  sidecars: string[];
  /** KML is always EPSG:4326. */
  fixedCrs?: string;
  /** The format has nowhere to keep a CRS (CSV with WKT, DXF): the coordinates show it instead. */
  noCrs?: boolean;
  /** The layer name inside the file, when the driver keeps the one given (-nln). */
  keepsLayerName: boolean;
}

const vectorFormats: VectorFormat[] = [
  { mimetype: mime.gpkg, ext: 'gpkg', short: 'GPKG', sidecars: [], keepsLayerName: true },
  { mimetype: mime.shp, ext: 'shp', short: 'SHP', sidecars: ['shx', 'dbf', 'prj', 'cpg'], keepsLayerName: false },
  { mimetype: mime.csv, ext: 'csv', short: 'CSV', sidecars: [], noCrs: true, keepsLayerName: false },
  { mimetype: mime.kml, ext: 'kml', short: 'KML', sidecars: [], fixedCrs: 'EPSG:4326', keepsLayerName: true },
  { mimetype: mime.geojson, ext: 'geojson', short: 'GEOJSON', sidecars: [], keepsLayerName: true },
  { mimetype: mime.fgb, ext: 'fgb', short: 'FGB', sidecars: [], keepsLayerName: true },
  { mimetype: mime.gml, ext: 'gml', short: 'GML', sidecars: ['xsd'], keepsLayerName: true },
  { mimetype: mime.tab, ext: 'tab', short: 'TAB', sidecars: ['dat', 'map', 'id'], keepsLayerName: false },
  { mimetype: mime.dxf, ext: 'dxf', short: 'DXF', sidecars: [], noCrs: true, keepsLayerName: false },
  { mimetype: mime.gdb, ext: 'gdb', short: 'GDB', sidecars: [], keepsLayerName: true },
];

/** Over the South Island and Tasmania, crossing both coastlines (lon, lat). */
const cropRing: number[][] = [
  [146, -41], [160, -40.5], [172.5, -40.5], [174.5, -42], [171, -47], [160, -46.5], [146, -44], [146, -41],
];
const cropPolygon = { type: 'Polygon', coordinates: [cropRing] };
const cropWkt = `POLYGON((${cropRing.map((p) => p.join(' ')).join(',')}))`;

interface ExportBody {
  id: number;
  name: string;
  created_at: string;
  created_via: string;
  state: 'processing' | 'complete' | 'error' | 'cancelled' | 'gone';
  url: string;
  download_url: string | null;
  crs: string | null;
  formats: Record<string, string>;
  items: Array<{ item: string; color?: string }>;
  extent: unknown;
  options: Record<string, unknown>;
  size_estimate_zipped: number;
  progress: number;
  error: string | null;
  size: number | null;
  completed_at: string | null;
  expires_at: string | null;
  user: string;
}

interface Validation {
  is_valid: boolean;
  invalid_reasons: string[];
  size_estimate_zipped: number | null;
  items: Array<{ item: string; is_valid: boolean; invalid_reasons: string[] }>;
}

/** What `ogr2ogr` makes of the same source file, written to a GeoPackage here. */
interface Reference {
  count: number;
  extent: Bbox;
  /** Total area, in the CRS's units; for points 0. */
  area: number;
}

function zipText(zip: string, entry: string): string {
  return run('unzip', ['-p', zip, entry]);
}

/** Copies one entry out of a zip into `dir` (GDAL can't open an XLSX or ODS, zips themselves, inside /vsizip/). */
function extractEntry(zip: string, entry: string, dir: string): string {
  const out = join(dir, `${Date.now()}-${Math.random().toString(36).slice(2)}-${entry.split('/').at(-1)}`);
  writeFileSync(out, execFileSync('unzip', ['-p', zip, entry], { maxBuffer: 64 * 1024 * 1024 }));
  return out;
}

function locations(res: ApiResponse): string[] {
  return ((res.body?.errors ?? []) as Array<{ location: string }>).map((e) => e.location);
}

function messagesAt(res: ApiResponse, location: string): string[] {
  return ((res.body?.errors ?? []) as Array<{ location: string; message: string }>).filter((e) => e.location === location).map((e) => e.message);
}

describe('exports', () => {
  let server: TestServer;
  let work: string;
  let owners: number;
  let pointsGpkg: string;
  let countriesGpkg: string;
  let points: PublishedLayer; // "NZ Points": 2,000 points over New Zealand
  let countries: PublishedLayer; // "Tasman Countries": New Zealand and Australia, with a licence
  let table: PublishedLayer; // "Station Readings": 250 rows, no geometry
  let versioned: PublishedLayer; // "Versioned Points": v1 600 points, then v2 150 points
  let dense: PublishedLayer; // "Dense Points": 200,000 points, slow to write as GML
  let refs: { points2193: Reference; points4326: Reference; countries2193: Reference; countries4326: Reference };
  let zipCount = 0;
  const users = {} as Record<'b_user' | 'outsider', { id: number; token: string; url: string }>;
  let groupB: number;

  const baseRequest = () => ({ crs: 'EPSG:2193', formats: { vector: mime.gpkg }, items: [{ item: points.url }] });

  /** POSTs an export that must be accepted (202), and checks the answer's shape. */
  const createExport = async (body: Record<string, unknown>, token = adminToken): Promise<ExportBody> => {
    const res = await server.request('POST', 'exports/', { body, token });
    assert.equal(res.status, 202, `POST exports/ ${JSON.stringify(body)}: ${res.status} ${res.text}`);
    const created = res.body as ExportBody;
    assert.equal(res.headers.get('location'), created.url, 'Location is the export URL');
    assert.equal(created.url, `${server.api}exports/${created.id}/`);
    assert.equal(created.state, 'processing', res.text);
    assert.equal(created.download_url, null);
    return created;
  };

  /** Polls an export every 100 ms until it leaves `processing`, and checks it reached `want`. */
  const waitForExport = async (created: ExportBody, want: ExportBody['state'] = 'complete', token = adminToken, timeoutMs = 60_000): Promise<ExportBody> => {
    const deadline = Date.now() + timeoutMs;
    let last: ExportBody = created;
    for (;;) {
      const res = await server.request('GET', created.url, { token });
      assert.equal(res.status, 200, `GET ${created.url}: ${res.status} ${res.text}`);
      last = res.body as ExportBody;
      assert.ok(last.progress >= 0 && last.progress <= 1, `progress ${last.progress} of export ${created.id}`);
      if (last.state !== 'processing') break;
      assert.ok(Date.now() < deadline, `export ${created.id} (${created.name}) still processing after ${timeoutMs} ms: ${JSON.stringify(last)}`);
      await sleep(100);
    }
    assert.equal(last.state, want, `export ${created.id} (${created.name}) ended ${last.state}, expected ${want}; error: ${last.error}`);
    return last;
  };

  /** Downloads a complete export's zip into the work folder; returns its path and bytes. */
  const downloadZip = async (exp: ExportBody, token = adminToken): Promise<{ path: string; bytes: Buffer }> => {
    assert.equal(exp.download_url, `${exp.url}download/`, 'download_url of a complete export');
    const response = await fetch(exp.download_url, { headers: { authorization: `key ${token}` } });
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(response.status, 200, `GET ${exp.download_url}: ${response.status} ${bytes.toString('utf8', 0, 500)}`);
    assert.match(response.headers.get('content-type') ?? '', /^application\/zip/);
    const path = join(work, `export-${exp.id}-${zipCount++}.zip`);
    writeFileSync(path, bytes);
    return { path, bytes };
  };

  /** Creates an export, waits for it, downloads it. */
  const completeExport = async (body: Record<string, unknown>, token = adminToken) => {
    const exp = await waitForExport(await createExport(body, token), 'complete', token);
    const zip = await downloadZip(exp, token);
    assert.equal(exp.size, zip.bytes.length, `size of export ${exp.id} is the zip's byte count`);
    return { exp, zip: zip.path, bytes: zip.bytes };
  };

  const validate = async (body: Record<string, unknown>, token = adminToken): Promise<Validation> => {
    const res = await server.request('POST', 'exports/validate/', { body, token });
    assert.equal(res.status, 200, `POST exports/validate/ ${JSON.stringify(body)}: ${res.status} ${res.text}`);
    return res.body as Validation;
  };

  /** How many exports the admin sees in all, from X-Resource-Range. */
  const exportTotal = async (token = adminToken): Promise<number> => {
    const res = await server.request('GET', 'exports/?page_size=1', { token });
    assert.equal(res.status, 200, res.text);
    const range = res.headers.get('x-resource-range') ?? '';
    const total = /\/(\d+)$/.exec(range)?.[1];
    assert.ok(total !== undefined, `X-Resource-Range: ${range}`);
    return Number(total);
  };

  /** Every export a caller lists, across pages. */
  const listExportIds = async (token: string): Promise<number[]> => {
    const res = await server.request('GET', 'exports/?page_size=100', { token });
    assert.equal(res.status, 200, res.text);
    return (res.body as Array<{ id: number }>).map((e) => e.id);
  };

  /** `ogr2ogr -t_srs crs -clipsrc …` on an uploaded file, into a GeoPackage here. */
  const reference = (source: string, layer: string, crs: string, clip: string[]): Reference => {
    const out = join(work, `ref-${layer}-${crs.replace(':', '')}-${Math.random().toString(36).slice(2)}.gpkg`);
    ogr2ogr(['-f', 'GPKG', '-nln', 'ref', '-t_srs', crs, ...clip, out, source, layer]);
    const info = readLayer(out);
    assert.ok(info.extent, `reference ${out} has an extent`);
    const polygons = /polygon/i.test(run('ogrinfo', ['-ro', '-so', out, 'ref']));
    return { count: info.count, extent: info.extent, area: polygons ? areaOf(out, info) : 0 };
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-exports-'));

    // Points: a 50 x 40 grid over New Zealand, offset so no point sits on a crop edge.
    pointsGpkg = writePointGrid(work, { columns: 50, rows: 40, origin: [165.0137, -47.9871], step: [0.28, 0.35], subsets: [600, 150] });

    // Polygons: New Zealand and Australia.
    countriesGpkg = join(work, 'countries.gpkg');
    ogr2ogr([
      '-f', 'GPKG', '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON', '-where', "name IN ('New Zealand', 'Australia')",
      '-nln', 'countries', countriesGpkg, packagedData('world-atlas/countries-110m.json'), 'countries',
    ]);

    // A table: no geometry, no coordinate-like columns.
    const rows = ['station,reading,quality'];
    for (let i = 1; i <= 250; i++) rows.push(`ST${String(i).padStart(4, '0')},${(i * 0.37).toFixed(2)},${i % 3 === 0 ? 'good' : 'fair'}`);
    const tableCsv = join(work, 'readings.csv');
    writeFileSync(tableCsv, `${rows.join('\n')}\n`);

    // 200,000 points, slow to write as GML.
    const denseRows: string[] = ['id,lon,lat'];
    for (let k = 0; k < 200_000; k++) denseRows.push(`${k + 1},${(166 + (k % 500) * 0.025).toFixed(4)},${(-47 + Math.floor(k / 500) * 0.03).toFixed(4)}`);
    const denseCsv = join(work, 'dense.csv');
    writeFileSync(denseCsv, `${denseRows.join('\n')}\n`);
    const denseGpkg = join(work, 'dense.gpkg');
    ogr2ogr(['-f', 'GPKG', ...csvPointOptions, '-nln', 'dense', denseGpkg, denseCsv]);

    refs = {
      points2193: reference(pointsGpkg, 'grid', 'EPSG:2193', ['-clipsrc', cropWkt]),
      points4326: reference(pointsGpkg, 'grid', 'EPSG:4326', ['-clipsrc', cropWkt]),
      countries2193: reference(countriesGpkg, 'countries', 'EPSG:2193', ['-clipsrc', cropWkt]),
      countries4326: reference(countriesGpkg, 'countries', 'EPSG:4326', ['-clipsrc', cropWkt]),
    };
    // The crop keeps some points but not all, and cuts both countries.
    assert.ok(refs.points2193.count > 50 && refs.points2193.count < 1500, `points kept by the crop: ${refs.points2193.count}`);
    assert.equal(refs.countries2193.count, 2, 'the crop meets New Zealand and Tasmania');

    server = await startTestServer();
    const group = await server.request('POST', 'groups/', { body: { name: 'Owners' } });
    assert.equal(group.status, 201, group.text);
    owners = group.body.id;
    const b = await server.request('POST', 'groups/', { body: { name: 'Group B' } });
    assert.equal(b.status, 201, b.text);
    groupB = b.body.id;
    users.b_user = await createUserWithToken(server, 'b_user', scope);
    users.outsider = await createUserWithToken(server, 'outsider', scope);
    const member = await server.request('POST', `groups/${groupB}/members/`, { body: { user: users.b_user.id, role: 'viewer' } });
    assert.equal(member.status, 201, member.text);

    const licenses = await server.request('GET', 'licenses/?page_size=100');
    const ccBy = (licenses.body as Array<{ id: number; type: string; version: string }>).find((l) => l.type === 'cc-by' && l.version === '4.0');
    assert.ok(ccBy, 'a seeded cc-by 4.0 licence');

    const [pointSources, countrySources, tableSources, denseSources] = await Promise.all([
      uploadDatasources(server, 'Point grids', pointsGpkg, { group: owners }),
      uploadDatasources(server, 'Countries', countriesGpkg, { group: owners }),
      uploadDatasources(server, 'Readings', tableCsv, { group: owners }),
      uploadDatasources(server, 'Dense points', denseGpkg, { group: owners }),
    ]);
    const tableSource = tableSources[0]!;
    assert.equal(tableSource.data_type, 'table', JSON.stringify(tableSources));
    const ds = (id: number) => ({ datasources: [id] });
    [points, countries, table, versioned, dense] = await Promise.all([
      publishedLayer(server, 'layers', { title: 'NZ Points', group: owners, data: ds(datasourceFor(pointSources, 'grid').id) }),
      publishedLayer(server, 'layers', { title: 'Tasman Countries', group: owners, license: ccBy.id, data: ds(datasourceFor(countrySources, 'countries').id) }),
      publishedLayer(server, 'tables', { title: 'Station Readings', group: owners, data: ds(tableSource.id) }),
      publishedLayer(server, 'layers', { title: 'Versioned Points', group: owners, data: ds(datasourceFor(pointSources, 'grid_600').id) }),
      publishedLayer(server, 'layers', { title: 'Dense Points', group: owners, data: ds(datasourceFor(denseSources, 'dense').id) }),
    ]);
    assert.equal(points.data.feature_count, 2000);
    assert.equal(countries.data.feature_count, 2);
    assert.equal(table.data.feature_count, 250);
    assert.equal(versioned.data.feature_count, 600);
    assert.equal(dense.data.feature_count, 200_000);

    // Version 2 of "Versioned Points": 150 points.
    const draft = await server.request('POST', `${versioned.url}versions/`, { body: {} });
    assert.equal(draft.status, 201, draft.text);
    const edited = await server.request('PUT', draft.body.version.url, { body: { data: ds(datasourceFor(pointSources, 'grid_150').id) } });
    assert.equal(edited.status, 200, edited.text);
    await waitForImport(server, draft.body.version.url);
    await publishVersion(server, draft.body.version.url);
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('lists every format for its kind on OPTIONS, and no PDF', async () => {
    const res = await server.request('OPTIONS', 'exports/');
    assert.equal(res.status, 200, res.text);
    const children = res.body?.actions?.POST?.formats?.children as Record<string, { choices: Array<{ value: string; display_name: string }> }>;
    assert.ok(children, `actions.POST.formats.children in ${res.text}`);
    assert.deepEqual(Object.keys(children).sort(), ['grid', 'raster', 'rat', 'table', 'vector']);
    const values = (kind: string) => children[kind]!.choices.map((c) => c.value).sort();
    assert.deepEqual(values('vector'), vectorFormats.map((f) => f.mimetype).sort());
    assert.deepEqual(values('table'), [mime.csv, mime.gpkg, mime.ods, mime.xlsx].sort());
    for (const kind of ['raster', 'grid', 'rat']) assert.deepEqual(children[kind]!.choices, [], `${kind} has no formats`);
    for (const kind of Object.keys(children)) {
      for (const choice of children[kind]!.choices) {
        assert.ok(typeof choice.display_name === 'string' && choice.display_name.length > 0, `${kind} ${choice.value} has a display name`);
      }
    }
    assert.ok(!/pdf/i.test(JSON.stringify(children)), `no PDF among the formats: ${JSON.stringify(children)}`);
  });

  describe('every vector format, reprojected to EPSG:2193 and cropped', () => {
    for (const format of vectorFormats) {
      it(`writes ${format.short}: a point layer and a clipped polygon layer that read back like ogr2ogr -clipsrc`, async () => {
        const created = await createExport({
          crs: 'EPSG:2193',
          formats: { vector: format.mimetype },
          items: [{ item: points.url }, { item: countries.url }],
          extent: cropPolygon,
        });
        assert.deepEqual(
          Object.keys(created).sort(),
          [
            'completed_at', 'created_at', 'created_via', 'crs', 'download_url', 'error', 'expires_at', 'extent', 'formats', 'id', 'items',
            'name', 'options', 'progress', 'size', 'size_estimate_zipped', 'state', 'url', 'user',
          ],
          'the fields of an export',
        );
        assert.equal(created.name, `nz-points-and-1-more-${format.short}`);
        assert.equal(created.crs, 'EPSG:2193');
        assert.deepEqual(created.formats, { vector: format.mimetype });
        assert.deepEqual(created.items, [{ item: points.url }, { item: countries.url }]);
        assert.deepEqual(created.extent, cropPolygon);
        assert.deepEqual(created.options, {});
        assert.match(created.user, /\/services\/api\/v1\/users\/\d+\/$/);
        assert.ok(created.size_estimate_zipped > 0, `size_estimate_zipped ${created.size_estimate_zipped}`);

        const exp = await waitForExport(created);
        assert.equal(exp.progress, 1);
        assert.ok(exp.completed_at && exp.expires_at && Date.parse(exp.expires_at) > Date.parse(exp.completed_at), `completed_at ${exp.completed_at}, expires_at ${exp.expires_at}`);
        const { path: zip, bytes } = await downloadZip(exp);
        assert.equal(exp.size, bytes.length);

        // The layout: {base}/{base}.{ext} with its sidecars, the ISO metadata, and the licence of the licensed layer.
        const entries = zipEntries(zip);
        for (const [base, licensed] of [['nz-points', false], ['tasman-countries', true]] as const) {
          const own = entries.filter((e) => e.startsWith(`${base}/`));
          const expected = [`${base}/${base}.iso.xml`, ...(licensed ? [`${base}/${base}.license.txt`] : [])];
          if (format.ext === 'gdb') {
            assert.ok(own.some((e) => e.startsWith(`${base}/${base}.gdb/`) && e.endsWith('.gdbtable')), `a ${base}.gdb folder in ${entries.join(', ')}`);
            for (const file of expected) assert.ok(own.includes(file), `${file} in ${entries.join(', ')}`);
            assert.deepEqual(own.filter((e) => !e.startsWith(`${base}/${base}.gdb/`) && !expected.includes(e)), [], `nothing else in ${base}/`);
          } else {
            expected.push(`${base}/${base}.${format.ext}`, ...format.sidecars.map((s) => `${base}/${base}.${s}`));
            assert.deepEqual(own, expected.sort(), `the files of ${base} in the zip`);
          }
          assert.match(zipText(zip, `${base}/${base}.iso.xml`), /gmd:MD_Metadata/, `${base}.iso.xml is ISO 19139`);
        }
        assert.deepEqual(entries.filter((e) => !e.startsWith('nz-points/') && !e.startsWith('tasman-countries/')), [], 'only the two item folders');
        assert.match(zipText(zip, 'tasman-countries/tasman-countries.license.txt'), /Creative Commons|CC BY|cc-by/i, 'the licence text');

        const crs = format.fixedCrs ?? 'EPSG:2193';
        const tolerance = crs === 'EPSG:4326' ? 1e-6 : 1;
        for (const [base, ref] of [
          ['nz-points', crs === 'EPSG:4326' ? refs.points4326 : refs.points2193],
          ['tasman-countries', crs === 'EPSG:4326' ? refs.countries4326 : refs.countries2193],
        ] as const) {
          const inner = `/vsizip/${zip}/${base}/${base}.${format.ext}`;
          const what = `${format.short} ${base}`;
          const layer = readLayer(inner);
          if (format.keepsLayerName) assert.equal(layer.name, base.replace(/-/g, '_'), `${what}: layer name`);
          assert.equal(layer.count, ref.count, `${what}: feature count`);
          assertBboxClose(layer.extent, ref.extent, tolerance, what);
          if (format.noCrs) assert.equal(epsgOf(inner), null, `${what}: ${format.short} keeps no CRS`);
          else assert.equal(epsgOf(inner), crs, `${what}: CRS`);
          if (ref.area > 0) assertClose(areaOf(inner, layer), ref.area, 1e-6, `${what}: total clipped area`);
        }
      });
    }
  });

  it('crops invalid polygons (repaired) and edge-touching ones to polygons only, which a Shapefile takes', async () => {
    // In and around a 1° crop square: a valid square inside; a ring that touches itself (invalid);
    // two squares as one feature, one inside and one outside touching the crop's edge (their cut
    // is a polygon and a line); and a square outside touching the crop's edge only (a line).
    const square = (x: number, y: number, size: number) => [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]];
    const features = [
      { name: 'inside', coordinates: [[square(172.1, -41.9, 0.2)]] },
      { name: 'self-touching', coordinates: [[[[172.5, -41.9], [172.9, -41.9], [172.7, -41.7], [172.9, -41.5], [172.5, -41.5], [172.7, -41.7], [172.5, -41.9]]]] },
      { name: 'two-parts', coordinates: [[square(172.8, -41.4, 0.1)], [square(173, -41.4, 0.1)]] },
      { name: 'touching', coordinates: [[square(173, -41.9, 0.2)]] },
    ];
    const geojson = join(work, 'awkward.geojson');
    writeFileSync(geojson, JSON.stringify({ type: 'FeatureCollection', features: features.map(({ name, coordinates }) => ({ type: 'Feature', properties: { name }, geometry: { type: 'MultiPolygon', coordinates } })) }));
    const gpkg = join(work, 'awkward.gpkg');
    ogr2ogr(['-f', 'GPKG', '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON', '-nln', 'awkward', gpkg, geojson]);
    const awkward = await publishedLayer(server, 'layers', { title: 'Awkward Polygons', group: owners, data: { datasources: [datasourceFor(await uploadDatasources(server, 'Awkward', gpkg), 'awkward').id] } });
    const crop = { type: 'Polygon', coordinates: [square(172, -42, 1)] };

    const { zip } = await completeExport({ crs: 'EPSG:4326', formats: { vector: mime.shp }, items: [{ item: awkward.url }], extent: crop });
    const inner = `/vsizip/${zip}/awkward-polygons/awkward-polygons.shp`;
    const info = run('ogrinfo', ['-al', '-geom=ISO_WKT', inner]);
    const names = [...info.matchAll(/name \(String\) = (\S+)/g)].map((m) => m[1]);
    assert.deepEqual(names.sort(), ['inside', 'self-touching', 'two-parts'], 'the touching square has no area in the crop; the others are all there');
    assert.doesNotMatch(info, /LINESTRING|POINT/, 'only polygons');
    // 0.04 (inside) + 0.08 (the self-touching ring's two triangles) + 0.01 (the inside part).
    assertClose(areaOf(inner, readLayer(inner)), 0.04 + 0.08 + 0.01, 1e-9, 'total area');
  });

  it('keeps what a crop holds whole, drops what lies outside it in its bbox, and cuts the rest, invalid polygons repaired', async () => {
    // A triangle crop, (172, -42), (173, -42), (172, -41): its bbox holds a corner outside it. In
    // local degrees u = lon - 172, v = lat + 42, the crop is u + v <= 1; what touches its edge
    // does so at (0.5, 0.5), which lies on it exactly in binary.
    const at = (u: number, v: number) => [172 + u, -42 + v];
    const square = (u: number, v: number, size: number) => [at(u, v), at(u + size, v), at(u + size, v + size), at(u, v + size), at(u, v)];
    // Two triangles of 0.04 meeting at one vertex, (u + 0.2, v + 0.2): a ring that touches itself, invalid.
    const selfTouching = (u: number, v: number) => [at(u, v), at(u + 0.4, v), at(u + 0.2, v + 0.2), at(u + 0.4, v + 0.4), at(u, v + 0.4), at(u + 0.2, v + 0.2), at(u, v)];
    const polygons = [
      { name: 'inside', coordinates: [square(0.1, 0.1, 0.2)], area: 0.04 },
      { name: 'holed-inside', coordinates: [square(0.5, 0.05, 0.2), square(0.55, 0.1, 0.1)], area: 0.04 - 0.01 },
      // Wholly inside, and repaired all the same.
      { name: 'self-touching-inside', coordinates: [selfTouching(0.05, 0.1)], area: 0.08 },
      // Its upper triangle crosses the crop's edge, which cuts 0.01 off it.
      { name: 'self-touching-across', coordinates: [selfTouching(0.3, 0.1)], area: 0.07 },
      // Across the edge on its diagonal: half of it.
      { name: 'across', coordinates: [square(0.4, 0.4, 0.2)], area: 0.02 },
      // Outside, touching the crop's edge with one corner: nothing of it has area in the crop.
      { name: 'touching', coordinates: [square(0.5, 0.5, 0.2)], area: null },
      { name: 'outside', coordinates: [square(0.8, 0.8, 0.1)], area: null },
    ];
    const lines = [
      { name: 'inside', coordinates: [at(0.1, 0.1), at(0.3, 0.2), at(0.2, 0.4)], length: 2 * Math.sqrt(0.05) },
      { name: 'across', coordinates: [at(0.5, 0.3), at(0.9, 0.3)], length: 0.2 },
      // Its cut is a point, which a line layer doesn't keep.
      { name: 'touching', coordinates: [at(0.5, 0.5), at(0.8, 0.3)], length: null },
      { name: 'outside', coordinates: [at(0.8, 0.8), at(0.9, 0.9)], length: null },
    ];
    const layerOf = async (title: string, type: string, features: Array<{ name: string; coordinates: unknown }>) => {
      const base = title.toLowerCase().replace(/ /g, '-');
      const geojson = join(work, `${base}.geojson`);
      writeFileSync(geojson, JSON.stringify({ type: 'FeatureCollection', features: features.map(({ name, coordinates }) => ({ type: 'Feature', properties: { name }, geometry: { type, coordinates } })) }));
      const gpkg = join(work, `${base}.gpkg`);
      ogr2ogr(['-f', 'GPKG', '-a_srs', 'EPSG:4326', '-nln', base, gpkg, geojson]);
      return publishedLayer(server, 'layers', { title, group: owners, data: { datasources: [datasourceFor(await uploadDatasources(server, title, gpkg), base).id] } });
    };
    const crop = { type: 'Polygon', coordinates: [[at(0, 0), at(1, 0), at(0, 1), at(0, 0)]] };
    /** Each feature's name and measure (area or length), and whether GEOS finds it valid, as read from the export; and its geometry type. */
    const exported = async (layer: PublishedLayer, measure: string) => {
      const { zip } = await completeExport({ crs: 'EPSG:4326', formats: { vector: mime.gpkg }, items: [{ item: layer.url }], extent: crop });
      const base = layer.title.toLowerCase().replace(/ /g, '-');
      const inner = `/vsizip/${zip}/${base}/${base}.gpkg`;
      const read = readLayer(inner);
      const sql = `SELECT name, ${measure}("${read.geometryColumn}") AS measure, ST_IsValid("${read.geometryColumn}") AS valid FROM "${read.name}"`;
      const out = run('ogrinfo', ['-ro', '-q', '-dialect', 'SQLite', '-sql', sql, inner]);
      const rows = [...out.matchAll(/name \(String\) = (\S+)\s+measure \(Real\) = ([-\d.e+]+)\s+valid \(Integer\) = (-?\d)/g)];
      assert.equal(rows.length, read.count, out);
      const type = /^Geometry: (.+)$/m.exec(run('ogrinfo', ['-ro', '-so', '-al', inner]))?.[1];
      return { type, features: new Map(rows.map((m) => [m[1]!, { measure: Number(m[2]), valid: m[3] === '1' }])) };
    };

    const polygonLayer = await layerOf('Crop Test Polygons', 'Polygon', polygons);
    const { type: polygonType, features: polygonsOut } = await exported(polygonLayer, 'ST_Area');
    assert.equal(polygonType, 'Multi Polygon');
    assert.deepEqual([...polygonsOut.keys()].sort(), polygons.filter((p) => p.area !== null).map((p) => p.name).sort());
    for (const { name, area } of polygons) {
      if (area === null) continue;
      assertClose(polygonsOut.get(name)!.measure, area, 1e-9, `area of ${name}`);
      assert.equal(polygonsOut.get(name)!.valid, true, `${name} is valid`);
    }
    const lineLayer = await layerOf('Crop Test Lines', 'LineString', lines);
    const { type: lineType, features: linesOut } = await exported(lineLayer, 'ST_Length');
    assert.equal(lineType, 'Multi Line String', 'lines are cut in SQL too');
    assert.deepEqual([...linesOut.keys()].sort(), lines.filter((l) => l.length !== null).map((l) => l.name).sort());
    for (const { name, length } of lines) if (length !== null) assertClose(linesOut.get(name)!.measure, length, 1e-9, `length of ${name}`);

    // Validation cuts the same way: a crop u + v <= 1.5 over the upper corner meets only the
    // outside line's bbox, so it keeps no line, but it keeps parts of two polygons.
    const corner = { type: 'Polygon', coordinates: [[at(0.5, 0.5), at(1, 0.5), at(0.5, 1), at(0.5, 0.5)]] };
    const linesChecked = await validate({ crs: 'EPSG:4326', formats: { vector: mime.gpkg }, items: [{ item: lineLayer.url }], extent: corner });
    assert.equal(linesChecked.is_valid, false, JSON.stringify(linesChecked));
    assert.match(linesChecked.invalid_reasons.join('; '), /^body\.extent: holds no features of layer \d+ \("Crop Test Lines"\)/);
    const polygonsChecked = await validate({ crs: 'EPSG:4326', formats: { vector: mime.gpkg }, items: [{ item: polygonLayer.url }], extent: corner });
    assert.equal(polygonsChecked.is_valid, true, JSON.stringify(polygonsChecked));
    // Allowed empty, the line layer is still written: no features, its fields and geometry type.
    const { zip } = await completeExport({ crs: 'EPSG:4326', formats: { vector: mime.gpkg }, items: [{ item: lineLayer.url }], extent: corner, options: { allow_empty: true } });
    const empty = `/vsizip/${zip}/crop-test-lines/crop-test-lines.gpkg`;
    assert.equal(readLayer(empty).count, 0);
    assert.deepEqual(readLayer(empty).fields, ['name']);
    assert.match(run('ogrinfo', ['-ro', '-so', '-al', empty]), /^Geometry: Line String$/m, 'the layer\'s own type');
  });

  it('exports a table to CSV, GeoPackage, XLSX and ODS without a CRS', async () => {
    const formats = [
      // Every cell may be text, so the spreadsheet drivers are told the first row holds the headers.
      { mimetype: mime.csv, ext: 'csv', short: 'CSV', args: [] as string[], spreadsheet: false },
      { mimetype: mime.gpkg, ext: 'gpkg', short: 'GPKG', args: [], spreadsheet: false },
      { mimetype: mime.xlsx, ext: 'xlsx', short: 'XLSX', args: ['--config', 'OGR_XLSX_HEADERS', 'FORCE'], spreadsheet: true },
      { mimetype: mime.ods, ext: 'ods', short: 'ODS', args: ['--config', 'OGR_ODS_HEADERS', 'FORCE'], spreadsheet: true },
    ];
    const valid = await validate({ formats: { table: mime.csv }, items: [{ item: table.url }] });
    assert.equal(valid.is_valid, true, valid.invalid_reasons.join('; '));
    // A table is not vector data: a vector format alone doesn't cover it.
    const wrongKind = await server.request('POST', 'exports/', { body: { crs: 'EPSG:2193', formats: { vector: mime.gpkg }, items: [{ item: table.url }] } });
    assert.equal(wrongKind.status, 400, wrongKind.text);
    assert.ok(locations(wrongKind).includes('body.formats.table'), wrongKind.text);
    const notTabular = await server.request('POST', 'exports/', { body: { formats: { table: mime.kml }, items: [{ item: table.url }] } });
    assert.equal(notTabular.status, 400, notTabular.text);
    assert.ok(locations(notTabular).includes('body.formats.table'), notTabular.text);

    for (const format of formats) {
      const { exp, zip } = await completeExport({ formats: { table: format.mimetype }, items: [{ item: table.url }] });
      assert.equal(exp.crs, null);
      assert.equal(exp.name, `station-readings-${format.short}`);
      const entries = zipEntries(zip);
      assert.ok(entries.includes(`station-readings/station-readings.${format.ext}`), `${format.short}: ${entries.join(', ')}`);
      assert.ok(entries.includes('station-readings/station-readings.iso.xml'), `${format.short}: ${entries.join(', ')}`);
      const entry = `station-readings/station-readings.${format.ext}`;
      const layer = readLayer(format.spreadsheet ? extractEntry(zip, entry, work) : `/vsizip/${zip}/${entry}`, format.args);
      assert.equal(layer.count, 250, `${format.short}: row count`);
      for (const field of ['station', 'reading', 'quality']) assert.ok(layer.fields.includes(field), `${format.short}: a ${field} field in ${layer.fields.join(', ')}`);
      assert.equal(layer.extent, null, `${format.short}: no geometry`);
    }
  });

  it('writes KML without a CRS, and styles it with an item colour', async () => {
    const plain = await completeExport({ formats: { vector: mime.kml }, items: [{ item: countries.url }] });
    assert.equal(plain.exp.crs, null);
    const plainLayer = readLayer(`/vsizip/${plain.zip}/tasman-countries/tasman-countries.kml`);
    assert.equal(plainLayer.count, 2);
    assert.equal(epsgOf(`/vsizip/${plain.zip}/tasman-countries/tasman-countries.kml`), 'EPSG:4326');
    assert.doesNotMatch(zipText(plain.zip, 'tasman-countries/tasman-countries.kml'), /dd9933/i, 'no colour without one');

    const styled = await completeExport({
      formats: { vector: mime.kml },
      items: [
        { item: countries.url, color: '#3399DD' },
        { item: points.url, color: '#CC3300' },
      ],
    });
    assert.deepEqual(styled.exp.items, [
      { item: countries.url, color: '#3399DD' },
      { item: points.url, color: '#CC3300' },
    ]);
    for (const [base, rgb, kmlColor, count] of [
      ['tasman-countries', '3399DD', 'dd9933', 2],
      ['nz-points', 'CC3300', '0033cc', 2000],
    ] as const) {
      const kml = zipText(styled.zip, `${base}/${base}.kml`);
      // KML colours are aabbggrr: #3399DD is ..dd9933.
      assert.match(kml, new RegExp(`<color>[0-9a-f]{2}${kmlColor}</color>`, 'i'), `${base}: a <color> of #${rgb} in ${kml.slice(0, 1500)}`);
      // One shared style in the colour, and every placemark points at it with no inline <Style> of its own (which would win).
      assert.match(kml, new RegExp(`<Style id="mapshelf">.*?<LineStyle><color>ff${kmlColor}</color>`, 'i'), `${base}: the shared style`);
      const placemarks = kml.split('<Placemark>').slice(1).map((p) => p.slice(0, p.indexOf('</Placemark>')));
      assert.equal(placemarks.length, count, `${base}: placemarks`);
      assert.ok(placemarks.every((p) => p.includes('<styleUrl>#mapshelf</styleUrl>') && !p.includes('<Style>')), `${base}: every placemark uses the shared style`);
      // GDAL reads it back as a reference to that style.
      const info = run('ogrinfo', ['-ro', '-al', `/vsizip/${styled.zip}/${base}/${base}.kml`]);
      const styles = info.split('\n').filter((line) => /^\s*Style = /.test(line)).map((line) => line.trim());
      assert.deepEqual([...new Set(styles)], ['Style = @mapshelf'], `${base}: every feature styled by the shared style`);
    }
  });

  it('exports the version a version URL names, and echoes that URL', async () => {
    const versions = await server.request('GET', `${versioned.url}versions/`);
    assert.equal(versions.status, 200, versions.text);
    // Version ids rise with the version number.
    const list = (versions.body as Array<{ version: { id: number; url: string } }>).map((v) => v.version).sort((a, b) => a.id - b.id);
    assert.equal(list.length, 2, `two versions: ${versions.text}`);
    const [v1, v2] = list as [{ id: number; url: string }, { id: number; url: string }];
    const current = await server.request('GET', versioned.url);
    assert.equal(current.body.version.id, v2.id, 'version 2 is published');

    const { exp, zip } = await completeExport({ crs: 'EPSG:4326', formats: { vector: mime.gpkg }, items: [{ item: v1.url }, { item: versioned.url }] });
    assert.equal(exp.items[0]!.item, v1.url, 'the version URL is echoed');
    assert.equal(exp.items[1]!.item, versioned.url, 'the layer URL is echoed');
    const entries = zipEntries(zip);
    const base = 'versioned-points';
    const second = `versioned-points-${versioned.id}`;
    assert.ok(entries.includes(`${base}/${base}.gpkg`) && entries.includes(`${second}/${second}.gpkg`), `two distinct folders: ${entries.join(', ')}`);
    assert.equal(readLayer(`/vsizip/${zip}/${base}/${base}.gpkg`).count, 600, 'version 1 has 600 points');
    assert.equal(readLayer(`/vsizip/${zip}/${second}/${second}.gpkg`).count, 150, 'the layer URL is its published version 2, 150 points');
  });

  it('refuses a version named twice in one export', async () => {
    const current = await server.request('GET', versioned.url);
    const v2url = current.body.version.url as string;
    const res = await server.request('POST', 'exports/validate/', {
      body: { crs: 'EPSG:4326', formats: { vector: mime.gpkg }, items: [{ item: versioned.url }, { item: v2url }] },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.is_valid, false, res.text);
    assert.ok((res.body.invalid_reasons as string[]).some((r) => r.startsWith('body.items[1].item: ')), res.text);
  });

  it('validates a request and estimates its zipped size within a factor of 2', async (t) => {
    const cases: Array<{ what: string; body: Record<string, unknown> }> = [];
    for (const [short, mimetype] of [['GPKG', mime.gpkg], ['SHP', mime.shp], ['CSV', mime.csv], ['GeoJSON', mime.geojson]] as const) {
      cases.push({ what: `${short} polygons cropped`, body: { crs: 'EPSG:2193', formats: { vector: mimetype }, items: [{ item: countries.url }], extent: cropPolygon } });
      cases.push({ what: `${short} points whole`, body: { crs: 'EPSG:2193', formats: { vector: mimetype }, items: [{ item: points.url }] } });
    }
    const ratios: string[] = [];
    const failures: string[] = [];
    for (const { what, body } of cases) {
      const result = await validate(body);
      assert.equal(result.is_valid, true, `${what}: ${result.invalid_reasons.join('; ')}`);
      assert.deepEqual(result.invalid_reasons, []);
      assert.deepEqual(result.items, [{ item: (body.items as Array<{ item: string }>)[0]!.item, is_valid: true, invalid_reasons: [] }]);
      assert.ok(typeof result.size_estimate_zipped === 'number' && result.size_estimate_zipped > 0, `${what}: estimate ${result.size_estimate_zipped}`);
      const { exp, bytes } = await completeExport(body);
      assert.equal(exp.size_estimate_zipped, result.size_estimate_zipped, `${what}: the export keeps the estimate validate gave`);
      const ratio = result.size_estimate_zipped! / bytes.length;
      const line = `${what}: estimate ${result.size_estimate_zipped} / actual ${bytes.length} = ${ratio.toFixed(2)}`;
      ratios.push(line);
      if (ratio < 0.5 || ratio > 2) failures.push(line);
    }
    for (const line of ratios) t.diagnostic(line);
    assert.deepEqual(failures, [], `estimates off by more than a factor of 2:\n${failures.join('\n')}\nall:\n${ratios.join('\n')}`);
  });

  it('refuses bad requests with a 400 naming where the problem is, and creates nothing', async () => {
    const before = await exportTotal();
    // A circle of n vertices around the South Island.
    const circle = (n: number) => {
      const ring = Array.from({ length: n }, (_, i) => [171 + 3 * Math.cos((2 * Math.PI * i) / n), -43.5 + 3 * Math.sin((2 * Math.PI * i) / n)]);
      return { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };
    };
    const base = baseRequest();
    const cases: Array<{ what: string; body: Record<string, unknown>; location: string; message?: RegExp }> = [
      { what: 'crs EPSG:999999', body: { ...base, crs: 'EPSG:999999' }, location: 'body.crs' },
      { what: 'crs 4326', body: { ...base, crs: '4326' }, location: 'body.crs' },
      { what: 'crs WGS84', body: { ...base, crs: 'WGS84' }, location: 'body.crs' },
      { what: 'no crs for GeoPackage', body: { formats: base.formats, items: base.items }, location: 'body.crs' },
      { what: 'no vector format', body: { ...base, formats: {} }, location: 'body.formats.vector' },
      { what: 'an unsupported mimetype', body: { ...base, formats: { vector: 'application/pdf' } }, location: 'body.formats.vector', message: /application\/x-ogc-gpkg/ },
      { what: 'an unknown kind', body: { ...base, formats: { vector: mime.gpkg, pointcloud: 'application/x-las' } }, location: 'body.formats.pointcloud' },
      { what: 'an item that is not a layer', body: { ...base, items: [{ item: `${server.api}users/1/` }] }, location: 'body.items[0].item' },
      { what: 'a missing layer', body: { ...base, items: [{ item: `${server.api}layers/999999/` }] }, location: 'body.items[0].item', message: /no layer 999999 you can see/ },
      { what: 'an extent of 1,001 vertices', body: { ...base, extent: circle(1001) }, location: 'body.extent', message: /1001/ },
      { what: 'a Point extent', body: { ...base, extent: { type: 'Point', coordinates: [171, -43] } }, location: 'body.extent' },
      {
        what: 'a bow-tie extent',
        body: { ...base, extent: { type: 'Polygon', coordinates: [[[168, -46], [174, -41], [174, -46], [168, -41], [168, -46]]] } },
        location: 'body.extent',
      },
      {
        what: 'longitude 200',
        body: { ...base, extent: { type: 'Polygon', coordinates: [[[170, -44], [200, -44], [200, -42], [170, -42], [170, -44]]] } },
        location: 'body.extent',
      },
      { what: 'an unknown crop feature', body: { ...base, extent: `${server.api}exports/croplayers/999/cropfeatures/999/` }, location: 'body.extent' },
      { what: 'raster_resolution_multiplier 0', body: { ...base, options: { raster_resolution_multiplier: 0 } }, location: 'body.options.raster_resolution_multiplier' },
      { what: 'raster_resolution_multiplier 17', body: { ...base, options: { raster_resolution_multiplier: 17 } }, location: 'body.options.raster_resolution_multiplier' },
      {
        what: 'raster_resolution_multiplier 4 on a vector-only export',
        body: { ...base, options: { raster_resolution_multiplier: 4 } },
        location: 'body.options.raster_resolution_multiplier',
        message: /vector/,
      },
      { what: 'a PDF page_size', body: { ...base, options: { page_size: 'a4' } }, location: 'body.options.page_size', message: /PDF/ },
      { what: 'color red', body: { ...base, items: [{ item: points.url, color: 'red' }] }, location: 'body.items[0]', message: /color/ },
      { what: 'a tile_id', body: { ...base, items: [{ item: points.url, tile_id: 'tile-1' }] }, location: 'body.items[0]', message: /tile_id/ },
    ];
    for (const { what, body, location, message } of cases) {
      const res = await server.request('POST', 'exports/', { body });
      assert.equal(res.status, 400, `${what}: expected 400, got ${res.status} ${res.text}`);
      assert.equal(res.body?.code, 'invalid_export', `${what}: ${res.text}`);
      const at = (res.body.errors as Array<{ location: string; message: string }>).filter((e) => e.location === location || e.location.startsWith(`${location}.`));
      assert.ok(at.length > 0, `${what}: expected an error at ${location}, got ${res.text}`);
      if (message) assert.ok(at.some((e) => message.test(e.message)), `${what}: a message at ${location} matching ${message}, got ${res.text}`);
      const checked = await validate(body);
      assert.equal(checked.is_valid, false, `${what}: validate says invalid`);
      assert.ok(checked.invalid_reasons.some((r) => r.startsWith(location)), `${what}: validate gives a reason at ${location}: ${checked.invalid_reasons.join('; ')}`);
    }

    // 1,000 vertices is the limit, and allowed.
    const atLimit = await validate({ ...base, extent: circle(1000) });
    assert.equal(atLimit.is_valid, true, `1,000 vertices: ${atLimit.invalid_reasons.join('; ')}`);

    // Schema violations: wrong types, unknown fields.
    for (const [what, body] of [
      ['items not an array', { ...base, items: points.url }],
      ['an unknown top-level field', { ...base, colour: 'red' }],
      ['formats not an object', { ...base, formats: mime.gpkg }],
    ] as const) {
      const res = await server.request('POST', 'exports/', { body });
      assert.equal(res.status, 400, `${what}: ${res.status} ${res.text}`);
      assert.equal(res.body?.code, 'invalid_body', `${what}: ${res.text}`);
    }
    assert.equal(await exportTotal(), before, 'a refused POST creates no export');
  });

  describe('permissions and ownership', () => {
    let bExport: ExportBody;

    it('refuses items the caller may not see or download, and accepts them with download', async () => {
      const body = { ...baseRequest(), items: [{ item: points.url }] };
      const hidden = await server.request('POST', 'exports/', { body, token: users.b_user.token });
      assert.equal(hidden.status, 400, hidden.text);
      const hiddenMessages = messagesAt(hidden, 'body.items[0].item');
      assert.ok(hiddenMessages.some((m) => m.includes(`no layer ${points.id} you can see`)), hidden.text);
      // Exactly like a layer that doesn't exist.
      const missingId = points.id + 10_000;
      const missing = await server.request('POST', 'exports/', { body: { ...body, items: [{ item: `${server.api}layers/${missingId}/` }] }, token: users.b_user.token });
      assert.deepEqual(messagesAt(missing, 'body.items[0].item').map((m) => m.replace(String(missingId), 'N')), hiddenMessages.map((m) => m.replace(String(points.id), 'N')));

      const view = await server.request('POST', `layers/${points.id}/permissions/`, { body: { id: `group.${groupB}`, permission: 'view' } });
      assert.equal(view.status, 201, view.text);
      const viewOnly = await validate(body, users.b_user.token);
      assert.equal(viewOnly.is_valid, false);
      assert.ok(viewOnly.invalid_reasons.some((r) => r.startsWith('body.items[0].item: ') && /download permission/.test(r)), viewOnly.invalid_reasons.join('; '));
      assert.ok(viewOnly.items[0]!.invalid_reasons.some((r) => /download permission/.test(r)), JSON.stringify(viewOnly.items));
      const refused = await server.request('POST', 'exports/', { body, token: users.b_user.token });
      assert.equal(refused.status, 400, refused.text);
      assert.ok(messagesAt(refused, 'body.items[0].item').some((m) => /download permission/.test(m)), refused.text);

      const download = await server.request('POST', `layers/${points.id}/permissions/`, { body: { id: `group.${groupB}`, permission: 'download' } });
      assert.ok([200, 201].includes(download.status), download.text);
      assert.equal((await validate(body, users.b_user.token)).is_valid, true);
      bExport = await waitForExport(await createExport(body, users.b_user.token), 'complete', users.b_user.token);
      assert.equal(bExport.user, users.b_user.url);
      await downloadZip(bExport, users.b_user.token);
    });

    it("hides another user's export: GET, download and DELETE are 404", async () => {
      for (const [method, path] of [
        ['GET', bExport.url],
        ['GET', `${bExport.url}download/`],
        ['DELETE', bExport.url],
      ] as const) {
        const res = await server.request(method, path, { token: users.outsider.token });
        assert.equal(res.status, 404, `outsider ${method} ${path}: ${res.status} ${res.text}`);
        assert.equal(res.body?.code, 'not_found', res.text);
      }
      assert.equal((await server.request('GET', bExport.url, { token: users.b_user.token })).body.state, 'complete', 'the export is still there');
    });

    it('lists only your own exports, and everyone\'s for a site admin', async () => {
      const adminIds = await listExportIds(adminToken);
      const bIds = await listExportIds(users.b_user.token);
      assert.deepEqual(bIds, [bExport.id], 'b_user lists their one export');
      assert.ok(adminIds.includes(bExport.id), 'the site admin lists b_user\'s export');
      assert.ok(adminIds.length > 1, 'and their own');
      assert.deepEqual(await listExportIds(users.outsider.token), [], 'the outsider has none');
    });

    it('needs exports:write to create an export', async () => {
      const token = await server.request('POST', 'tokens/', { body: { name: 'read-only', scope: 'exports:read layers:read', user: users.b_user.id } });
      assert.equal(token.status, 201, token.text);
      const res = await server.request('POST', 'exports/', { body: baseRequest(), token: token.body.key as string });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.body?.code, 'invalid_token_scope', res.text);
      const read = await server.request('GET', bExport.url, { token: token.body.key as string });
      assert.equal(read.status, 200, `exports:read reads it: ${read.text}`);
    });
  });

  it('serves the zip with Content-Length, ETag, Content-Disposition, Range and If-None-Match', async () => {
    const { exp, bytes } = await completeExport({ ...baseRequest(), name: 'Tasman/clip:2193' });
    assert.equal(exp.name, 'Tasman-clip-2193', 'the name, sanitized');
    const url = exp.download_url!;
    const auth = { authorization: `key ${adminToken}` };

    const whole = await fetch(url, { headers: auth });
    const wholeBytes = Buffer.from(await whole.arrayBuffer());
    assert.equal(whole.status, 200);
    assert.equal(Number(whole.headers.get('content-length')), wholeBytes.length, 'Content-Length is the byte count');
    assert.ok(wholeBytes.equals(bytes), 'the same bytes each time');
    const etag = whole.headers.get('etag');
    assert.ok(etag && /^"[^"]+"$/.test(etag), `a strong ETag: ${etag}`);
    const disposition = whole.headers.get('content-disposition') ?? '';
    assert.match(disposition, /^attachment;/);
    assert.ok(disposition.includes(`filename="${exp.name}.zip"`), `Content-Disposition: ${disposition}`);
    assert.equal(whole.headers.get('content-type'), 'application/zip');

    const part = await fetch(url, { headers: { ...auth, range: 'bytes=0-99' } });
    const partBytes = Buffer.from(await part.arrayBuffer());
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 0-99/${wholeBytes.length}`);
    assert.equal(Number(part.headers.get('content-length')), 100);
    assert.ok(partBytes.equals(wholeBytes.subarray(0, 100)), 'the first 100 bytes');
    const tail = await fetch(url, { headers: { ...auth, range: `bytes=${wholeBytes.length - 10}-` } });
    assert.equal(tail.status, 206);
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(wholeBytes.subarray(wholeBytes.length - 10)), 'the last 10 bytes');

    const cached = await fetch(url, { headers: { ...auth, 'if-none-match': etag } });
    assert.equal(cached.status, 304);
    assert.equal((await cached.arrayBuffer()).byteLength, 0);
  });

  describe('cancelling', () => {
    // 200,000 points as GML take seconds to write.
    const slowExport = () => ({ crs: 'EPSG:2193', formats: { vector: mime.gml }, items: [{ item: dense.url }] });

    const exportDir = (id: number) => join(server.dataDir, 'exports', String(id));
    const scratchOf = (id: number) =>
      existsSync(join(server.dataDir, 'tmp')) ? readdirSync(join(server.dataDir, 'tmp')).filter((name) => name.startsWith(`export-${id}-`)) : [];
    const gdalChildren = (id: number) =>
      run('ps', ['-eo', 'pid,args'])
        .split('\n')
        .filter((line) => line.includes('ogr2ogr') && line.includes(`export-${id}-`));

    /** Within 5 s: no zip folder, no scratch folder, no ogr2ogr child for the export. */
    const assertCleanedUp = async (id: number) => {
      const deadline = Date.now() + 5000;
      for (;;) {
        const left = [...(existsSync(exportDir(id)) ? [exportDir(id)] : []), ...scratchOf(id), ...gdalChildren(id)];
        if (left.length === 0) return;
        assert.ok(Date.now() < deadline, `5 s after cancelling export ${id}, still there: ${left.join('; ')}`);
        await sleep(100);
      }
    };

    it('cancels an export at once: 202 cancelled, no files left, and 409 the second time', async () => {
      const created = await createExport(slowExport());
      const download = await server.request('GET', `${created.url}download/`);
      assert.equal(download.status, 409, `download while processing: ${download.status} ${download.text}`);
      const res = await server.request('DELETE', created.url);
      assert.equal(res.status, 202, res.text);
      assert.equal(res.body.state, 'cancelled', res.text);
      assert.equal(res.body.download_url, null);
      await assertCleanedUp(created.id);
      await sleep(500);
      const after = await server.request('GET', created.url);
      assert.equal(after.body.state, 'cancelled', 'it stays cancelled');
      assert.equal(existsSync(exportDir(created.id)), false, 'and no zip appears later');
      const again = await server.request('DELETE', created.url);
      assert.equal(again.status, 409, again.text);
      assert.ok(Array.isArray(again.body?.errors) && again.body.errors.length > 0, `409 with errors: ${again.text}`);
      const gone = await server.request('GET', `${created.url}download/`);
      assert.equal(gone.status, 409, `download of a cancelled export: ${gone.text}`);
    });

    it('kills a running export: GDAL stops and its scratch files go', async () => {
      const created = await createExport(slowExport());
      // Wait until the job is writing (its scratch folder exists and ogr2ogr runs).
      const deadline = Date.now() + 20_000;
      while (scratchOf(created.id).length === 0 || gdalChildren(created.id).length === 0) {
        const now = await server.request('GET', created.url);
        assert.equal(now.body.state, 'processing', `the slow export finished before it could be cancelled: ${now.text}`);
        assert.ok(Date.now() < deadline, 'the slow export did not start within 20 s');
        await sleep(50);
      }
      const res = await server.request('DELETE', created.url);
      assert.equal(res.status, 202, res.text);
      assert.equal(res.body.state, 'cancelled', res.text);
      await assertCleanedUp(created.id);
      const again = await server.request('DELETE', created.url);
      assert.equal(again.status, 409, again.text);
      assert.ok(Array.isArray(again.body?.errors), again.text);
    });

    it('refuses to cancel a complete export (409)', async () => {
      const exp = await waitForExport(await createExport(baseRequest()));
      const res = await server.request('DELETE', exp.url);
      assert.equal(res.status, 409, res.text);
      assert.ok(Array.isArray(res.body?.errors) && res.body.errors.length > 0, `409 with errors: ${res.text}`);
      assert.equal((await server.request('GET', exp.url)).body.state, 'complete');
      await downloadZip(exp);
    });
  });

  it('ends in error, with GDAL\'s reason and no files, when the data can\'t be read', async () => {
    const broken = await publishedLayer(server, 'layers', { title: 'Broken Points', group: owners, data: { datasources: points.data.datasources } });
    // The version's GeoPackage damaged on disk, as a failing disk would leave it.
    writeFileSync(join(server.dataDir, 'layers', String(broken.id), `v${broken.version.number}.gpkg`), 'not a geopackage');
    const exp = await waitForExport(await createExport({ crs: 'EPSG:2193', formats: { vector: mime.gpkg }, items: [{ item: broken.url }] }), 'error');
    assert.match(exp.error ?? '', /GDAL could not write layer \d+ \("Broken Points"\)/, `the reason: ${exp.error}`);
    assert.equal(exp.download_url, null);
    assert.equal(existsSync(join(server.dataDir, 'exports', String(exp.id))), false, 'no zip');
    const scratch = join(server.dataDir, 'tmp');
    assert.deepEqual(existsSync(scratch) ? readdirSync(scratch).filter((name) => name.startsWith(`export-${exp.id}-`)) : [], [], 'no scratch files');
    const download = await server.request('GET', `${exp.url}download/`);
    assert.equal(download.status, 409, download.text);
  });

  it('runs eight exports made at once, each to completion with the right count', async () => {
    const formats = [mime.gpkg, mime.shp, mime.csv, mime.geojson, mime.fgb, mime.gml, mime.kml, mime.tab];
    const exts = ['gpkg', 'shp', 'csv', 'geojson', 'fgb', 'gml', 'kml', 'tab'];
    const created = await Promise.all(
      formats.map((format, i) =>
        createExport({ crs: 'EPSG:2193', formats: { vector: format }, items: [{ item: points.url }], ...(i % 2 === 0 && { extent: cropPolygon }), name: `batch-${i}` }),
      ),
    );
    assert.equal(new Set(created.map((c) => c.id)).size, 8, 'eight exports');
    const done = await Promise.all(created.map((c) => waitForExport(c)));
    for (const [i, exp] of done.entries()) {
      const { path } = await downloadZip(exp);
      const layer = readLayer(`/vsizip/${path}/nz-points/nz-points.${exts[i]}`);
      assert.equal(layer.count, i % 2 === 0 ? refs.points2193.count : 2000, `batch-${i} (${exts[i]}) count`);
    }
  });

  describe('crop layers', () => {
    let cropLayer: { id: number; url: string; features_url: string; feature_count: number; name_field: string; source_layer: string; extent: number[] };
    let nz: { id: number; name: string; url: string; extent: number[]; geometry?: unknown };

    it('makes a crop layer from a published polygon layer (site admins only), one named feature per polygon', async () => {
      const refused = await server.request('POST', 'exports/croplayers/', { body: { name: 'Countries', source_layer: countries.url }, token: users.b_user.token });
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body?.code, 'forbidden', refused.text);

      const res = await server.request('POST', 'exports/croplayers/', { body: { name: 'Countries', source_layer: countries.url } });
      assert.equal(res.status, 201, res.text);
      cropLayer = res.body;
      assert.equal(res.headers.get('location'), cropLayer.url);
      assert.equal(cropLayer.url, `${server.api}exports/croplayers/${cropLayer.id}/`);
      assert.equal(cropLayer.features_url, `${cropLayer.url}cropfeatures/`);
      assert.equal(cropLayer.feature_count, 2);
      assert.equal(cropLayer.name_field, 'name');
      assert.equal(cropLayer.source_layer, countries.url);
      const ref = readLayer(countriesGpkg);
      assertBboxClose(cropLayer.extent as Bbox, ref.extent!, 1e-6, 'crop layer extent');

      // A crop layer is as private as its source layer: b_user sees it once they may view that layer.
      const hidden = await server.request('GET', cropLayer.url, { token: users.b_user.token });
      assert.equal(hidden.status, 404, hidden.text);
      const grant = await server.request('POST', `layers/${countries.id}/permissions/`, { body: { id: `group.${groupB}`, permission: 'view' } });
      assert.equal(grant.status, 201, grant.text);

      const list = await server.request('GET', 'exports/croplayers/', { token: users.b_user.token });
      assert.equal(list.status, 200, list.text);
      assert.ok((list.body as Array<{ id: number }>).some((c) => c.id === cropLayer.id), list.text);
      const one = await server.request('GET', cropLayer.url, { token: users.b_user.token });
      assert.equal(one.status, 200, one.text);
      assert.deepEqual(one.body, cropLayer);

      const features = await server.request('GET', cropLayer.features_url, { token: users.b_user.token });
      assert.equal(features.status, 200, features.text);
      const summaries = features.body as Array<{ id: number; name: string; url: string; extent: number[]; geometry?: unknown }>;
      assert.deepEqual(summaries.map((f) => f.name).sort(), ['Australia', 'New Zealand']);
      for (const f of summaries) {
        assert.equal(f.geometry, undefined, 'list summaries omit the geometry');
        assert.equal(f.url, `${cropLayer.features_url}${f.id}/`);
      }
      nz = summaries.find((f) => f.name === 'New Zealand')!;
      const feature = await server.request('GET', nz.url, { token: users.b_user.token });
      assert.equal(feature.status, 200, feature.text);
      assert.equal(feature.body.name, 'New Zealand');
      assert.equal(feature.body.geometry?.type, 'MultiPolygon', JSON.stringify(feature.body).slice(0, 300));
      const missing = await server.request('GET', `${cropLayer.features_url}999999/`);
      assert.equal(missing.status, 404, missing.text);
    });

    it('crops an export to a crop feature like ogr2ogr -clipsrc with that polygon', async () => {
      const ref = reference(pointsGpkg, 'grid', 'EPSG:2193', ['-clipsrc', countriesGpkg, '-clipsrclayer', 'countries', '-clipsrcwhere', "name = 'New Zealand'"]);
      assert.ok(ref.count > 0 && ref.count < 2000, `points on New Zealand: ${ref.count}`);
      const { exp, zip } = await completeExport({ ...baseRequest(), extent: nz.url });
      assert.equal(exp.extent, nz.url, 'the extent is echoed as the crop feature URL');
      const layer = readLayer(`/vsizip/${zip}/nz-points/nz-points.gpkg`);
      assert.equal(layer.count, ref.count, 'points within New Zealand');
      assertBboxClose(layer.extent, ref.extent, 1, 'cropped extent');
    });

    it('lets only a site admin delete a crop layer', async () => {
      const refused = await server.request('DELETE', cropLayer.url, { token: users.b_user.token });
      assert.equal(refused.status, 403, refused.text);
      const res = await server.request('DELETE', cropLayer.url);
      assert.equal(res.status, 204, res.text);
      assert.equal((await server.request('GET', cropLayer.url)).status, 404);
      const orphan = await server.request('POST', 'exports/validate/', { body: { ...baseRequest(), extent: nz.url } });
      assert.equal(orphan.body.is_valid, false, orphan.text);
      assert.ok((orphan.body.invalid_reasons as string[]).some((r) => r.startsWith('body.extent: ')), orphan.text);
    });
  });

  it('expires a finished export: it becomes gone, its download 410, its file removed', async () => {
    const short = await startTestServer({ exportTtl: 2 });
    try {
      const sources = await uploadDatasources(short, 'Point grids', pointsGpkg);
      const layer = await publishedLayer(short, 'layers', { title: 'Few Points', data: { datasources: [datasourceFor(sources, 'grid_150').id] } });
      const created = await short.request('POST', 'exports/', { body: { crs: 'EPSG:2193', formats: { vector: mime.gpkg }, items: [{ item: layer.url }] } });
      assert.equal(created.status, 202, created.text);
      const url = created.body.url as string;
      const fileDir = join(short.dataDir, 'exports', String(created.body.id));

      let exp: ExportBody | undefined;
      const deadline = Date.now() + 20_000;
      for (;;) {
        exp = (await short.request('GET', url)).body as ExportBody;
        if (exp.state !== 'processing') break;
        assert.ok(Date.now() < deadline, 'the export did not finish in 20 s');
        await sleep(100);
      }
      assert.equal(exp.state, 'complete', exp.error ?? '');
      assert.ok(existsSync(fileDir), 'the zip is in the data folder');
      const ttl = Date.parse(exp.expires_at!) - Date.parse(exp.completed_at!);
      assert.ok(Math.abs(ttl - 2000) < 50, `expires 2 s after completing (${ttl} ms)`);
      const download = await short.request('GET', `${url}download/`);
      assert.equal(download.status, 200, 'downloadable before it expires');

      const goneBy = Date.now() + 10_000;
      for (;;) {
        exp = (await short.request('GET', url)).body as ExportBody;
        if (exp.state === 'gone') break;
        assert.equal(exp.state, 'complete');
        assert.ok(Date.now() < goneBy, `still ${exp.state} 10 s after completing (expires_at ${exp.expires_at})`);
        await sleep(100);
      }
      assert.equal(exp.download_url, null);
      const gone = await short.request('GET', `${url}download/`);
      assert.equal(gone.status, 410, gone.text);
      assert.equal(gone.body?.code, 'gone', gone.text);
      assert.equal(existsSync(fileDir), false, `${fileDir} is removed`);
      const cancel = await short.request('DELETE', url);
      assert.equal(cancel.status, 409, `cancelling a gone export: ${cancel.text}`);
    } finally {
      await short.close();
    }
  });
});
