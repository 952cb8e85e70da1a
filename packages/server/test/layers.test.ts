/**
 * Layers and tables, versions, imports and publishing, through HTTP against a running server
 * with real GDAL. Data comes from the packaged public TopoJSON (us-atlas) through ogr2ogr;
 * expected counts and extents come from `ogrinfo`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createUserWithToken, startTestServer, type ApiResponse, type TestServer } from './helpers/server.js';
import { ogrInfo, packagedData, part, uploadSource, waitForScan, type OgrLayerInfo } from './helpers/uploads.js';

type Bbox = [number, number, number, number];

interface Datasource {
  id: number;
  url: string;
  layer: string;
  upload_path: string;
  data_type: 'vector' | 'table';
  crs: string | null;
}

interface Layer {
  id: number;
  url: string;
  type: 'layer' | 'table';
  name: string;
  title: string;
  kind: string;
  description: string;
  tags: string[];
  categories: string[];
  license: { id: number; url: string } | null;
  published_at: string | null;
  created_at: string;
  published_version: string | null;
  latest_version: string;
  this_version: string;
  data: {
    crs: string | null;
    datasources: Array<{ id: number }>;
    geometry_type: string | null;
    geometry_field: string | null;
    fields: Array<{ name: string; type: string }>;
    primary_key_fields: string[];
    feature_count: number | null;
    extent: { type: string; coordinates: number[][][] } | null;
  };
  version: {
    id: number;
    url: string;
    number: number;
    status: string;
    progress: number;
    error: string | null;
    published_at: string | null;
    change_counts: { added: number; updated: number; deleted: number } | null;
    import_log: string;
  };
}

interface Publish {
  id: number;
  url: string;
  state: string;
  publish_strategy: string;
  error_strategy: string;
  publish_at: string | null;
  error: string | null;
  items: string[];
}

const importing = ['queued', 'importing'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function ogr2ogr(args: string[]): void {
  execFileSync('ogr2ogr', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function bboxOf(extent: Layer['data']['extent']): Bbox {
  assert.ok(extent, 'extent is missing');
  assert.equal(extent.type, 'Polygon');
  const ring = extent.coordinates[0]!;
  const xs = ring.map((c) => c[0]!);
  const ys = ring.map((c) => c[1]!);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function locations(res: ApiResponse): string[] {
  return ((res.body?.errors ?? []) as Array<{ location: string }>).map((e) => e.location);
}

/** Asserts a 400 whose errors name `location` (exactly, or as a prefix for schema errors). */
function assertBadRequest(res: ApiResponse, location: string | null, what: string): void {
  assert.equal(res.status, 400, `${what}: ${res.status} ${res.text}`);
  if (location !== null) {
    assert.ok(
      locations(res).some((l) => l === location || l.startsWith(`${location}.`) || l.startsWith(`${location}[`)),
      `${what}: expected an error at ${location}, got ${res.text}`,
    );
  }
}

describe('layers, tables, versions and publishing', () => {
  let server: TestServer;
  let work: string;
  let states: OgrLayerInfo;
  let dsStates: Datasource;
  let dsNation: Datasource;
  let dsTable: Datasource;
  let dsPoints: Datasource;
  let dsEdited: Datasource;
  let dsBroken: Datasource;
  let brokenSource: number;
  let dsTruncated: Datasource;
  let truncatedSource: number;
  let defaultGroup: number;
  let viewer: { id: number; token: string };
  let outsider: { id: number; token: string };
  let reader: { id: number; token: string };

  // Set as the tests go.
  let statesLayer: Layer; // v1 imported from us.gpkg [states]
  let nationLayer: Layer;
  let nationByIdLayer: Layer;
  let table: Layer;
  let points: Layer;
  let failed: Layer;
  const publishIds: number[] = [];

  const get = async <T = Layer>(path: string, token?: string): Promise<T> => {
    const res = await server.request('GET', path, { token });
    assert.equal(res.status, 200, `GET ${path}: ${res.text}`);
    return res.body as T;
  };

  /** Polls a version until its import has finished, at most 30 s. */
  const waitForImport = async (versionUrl: string): Promise<Layer> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const body = await get(versionUrl);
      if (!importing.includes(body.version.status)) return body;
      assert.ok(Date.now() < deadline, `import of ${versionUrl} did not finish in 30 s: ${JSON.stringify(body.version)}`);
      await sleep(75);
    }
  };

  const waitForPublish = async (url: string, states = ['pending', 'publishing']): Promise<Publish> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const body = await get<Publish>(url);
      if (!states.includes(body.state)) return body;
      assert.ok(Date.now() < deadline, `publish ${url} did not finish in 30 s: ${JSON.stringify(body)}`);
      await sleep(75);
    }
  };

  const createLayer = async (body: Record<string, unknown>, collection = 'layers/', token?: string): Promise<Layer> => {
    const res = await server.request('POST', collection, { body, token });
    assert.equal(res.status, 201, `POST ${collection}: ${res.text}`);
    return res.body as Layer;
  };

  const importedLayer = async (body: Record<string, unknown>, collection = 'layers/'): Promise<Layer> => {
    const created = await createLayer(body, collection);
    const done = await waitForImport(created.version.url);
    assert.equal(done.version.status, 'ok', `import of ${JSON.stringify(body)}: ${JSON.stringify(done.version)}`);
    return done;
  };

  const publishNow = async (body: Record<string, unknown>): Promise<{ res: ApiResponse<Publish>; publish: Publish }> => {
    const res = await server.request<Publish>('POST', 'publish/', { body });
    assert.equal(res.status, 201, `POST publish/: ${res.text}`);
    publishIds.push(res.body.id);
    return { res, publish: res.body };
  };

  const datasourcesOf = async (sourceId: number): Promise<Datasource[]> => {
    const res = await server.request('GET', `sources/${sourceId}/datasources/?page_size=100`, { headers: { expand: 'list' } });
    assert.equal(res.status, 200, res.text);
    return res.body as Datasource[];
  };

  const uploadAndScan = async (title: string, path: string, as?: string): Promise<{ sourceId: number; datasources: Datasource[] }> => {
    const res = await uploadSource(server, title, [part(path, as)]);
    assert.equal(res.status, 201, `upload ${title}: ${res.text}`);
    const scan = await waitForScan(server, res.body.id as number);
    assert.equal(scan.status, 'completed', `scan of ${title}: ${JSON.stringify(scan)}`);
    return { sourceId: res.body.id, datasources: await datasourcesOf(res.body.id) };
  };

  const total = (res: ApiResponse) => Number(/\/(\d+)$/.exec(res.headers.get('x-resource-range') ?? '')?.[1]);

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-layers-'));
    const atlas = packagedData('us-atlas/states-10m.json');
    const gpkg = join(work, 'us.gpkg');
    ogr2ogr(['-f', 'GPKG', '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON', gpkg, atlas, 'states']);
    ogr2ogr(['-f', 'GPKG', '-update', '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON', gpkg, atlas, 'nation']);
    states = ogrInfo(gpkg).find((l) => l.name === 'states')!;
    assert.ok(states && states.featureCount > 10, 'the states layer');

    // The same GeoPackage with two features deleted and one attribute edited; fids stay as they are.
    const edited = join(work, 'edited.gpkg');
    copyFileSync(gpkg, edited);
    // Through GDAL, whose SQLite has the ST_* functions the GeoPackage's R-tree triggers call.
    for (const sql of ['DELETE FROM states WHERE fid IN (1, 2)', "UPDATE states SET name = name || ' (renamed)' WHERE fid = 3"]) {
      execFileSync('ogrinfo', ['-q', edited, '-sql', sql], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    assert.equal(ogrInfo(edited).find((l) => l.name === 'states')!.featureCount, states.featureCount - 2);

    const tableCsv = join(work, 'state_names.csv');
    ogr2ogr(['-f', 'CSV', tableCsv, atlas, 'states']);
    const pointsCsv = join(work, 'places.csv');
    ogr2ogr([
      '-f', 'CSV', '-dialect', 'sqlite',
      '-sql', 'SELECT id, name, ST_X(ST_PointOnSurface(geometry)) AS lon, ST_Y(ST_PointOnSurface(geometry)) AS lat FROM states',
      pointsCsv, atlas,
    ]);

    server = await startTestServer();
    const groups = await server.request('GET', 'groups/?name=Default');
    defaultGroup = (groups.body as Array<{ id: number }>)[0]!.id;

    const [us, tbl, pts, ed, broken, truncated] = await Promise.all([
      uploadAndScan('US atlas', gpkg),
      uploadAndScan('State names', tableCsv),
      uploadAndScan('Places', pointsCsv),
      uploadAndScan('US atlas, edited', edited, 'us.gpkg'),
      uploadAndScan('Soon broken', gpkg, 'broken.gpkg'),
      uploadAndScan('Soon truncated', gpkg, 'truncated.gpkg'),
    ]);
    dsStates = us.datasources.find((d) => d.layer === 'states')!;
    dsNation = us.datasources.find((d) => d.layer === 'nation')!;
    dsTable = tbl.datasources[0]!;
    dsPoints = pts.datasources[0]!;
    dsEdited = ed.datasources.find((d) => d.layer === 'states')!;
    dsBroken = broken.datasources.find((d) => d.layer === 'states')!;
    brokenSource = broken.sourceId;
    dsTruncated = truncated.datasources.find((d) => d.layer === 'states')!;
    truncatedSource = truncated.sourceId;
    assert.ok(dsStates && dsNation && dsEdited && dsBroken, 'GeoPackage datasources');
    assert.equal(dsTable?.data_type, 'table', JSON.stringify(tbl.datasources));
    assert.equal(dsPoints?.data_type, 'vector', JSON.stringify(pts.datasources));
    assert.equal(dsPoints.crs, null, 'a lon/lat CSV has no CRS');

    viewer = await createUserWithToken(server, 'viewer', 'layers:read layers:write');
    outsider = await createUserWithToken(server, 'outsider', 'layers:read layers:write sources:read sources:write');
    reader = await createUserWithToken(server, 'reader', 'layers:read');
    const elsewhere = await server.request('POST', 'groups/', { body: { name: 'Elsewhere' } });
    assert.equal(elsewhere.status, 201, elsewhere.text);
    for (const [group, user, role] of [
      [defaultGroup, viewer.id, 'viewer'],
      [defaultGroup, reader.id, 'editor'],
      [elsewhere.body.id as number, outsider.id, 'editor'],
    ] as const) {
      const member = await server.request('POST', `groups/${group}/members/`, { body: { user, role } });
      assert.ok([200, 201].includes(member.status), member.text);
    }
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('creating and importing', () => {
    it('creates a layer: 201 with Location, queued, then imports what ogrinfo sees', async () => {
      const res = await server.request('POST', 'layers/', { body: { title: 'US states', data: { datasources: [dsStates.id] } } });
      assert.equal(res.status, 201, res.text);
      const created = res.body as Layer;
      assert.equal(res.headers.get('location'), created.url);
      assert.match(created.url, new RegExp(`^${server.api}layers/\\d+/$`));
      assert.equal(created.title, 'US states');
      assert.equal(created.name, 'US states');
      assert.equal(created.type, 'layer');
      assert.equal(created.kind, 'vector');
      assert.ok(importing.includes(created.version.status), created.version.status);
      assert.equal(created.version.number, 1);
      assert.ok(created.version.progress >= 0 && created.version.progress <= 1, `progress ${created.version.progress}`);
      assert.equal(created.published_version, null);
      assert.deepEqual(created.data.datasources, [{ id: dsStates.id }]);

      statesLayer = await waitForImport(created.version.url);
      const { data, version } = statesLayer;
      assert.equal(version.status, 'ok', JSON.stringify(version));
      assert.equal(version.error, null);
      assert.equal(version.progress, 1);
      assert.equal(data.feature_count, states.featureCount);
      assert.equal(data.crs, 'EPSG:4326');
      assert.equal(data.geometry_type, states.geometryType);
      assert.deepEqual(
        data.fields.map((f) => f.name).filter((n) => ['id', 'name'].includes(n)),
        ['id', 'name'],
        JSON.stringify(data.fields),
      );
      const bbox = bboxOf(data.extent);
      bbox.forEach((v, i) => assert.ok(Math.abs(v - states.extent![i]!) < 1e-4, `extent ${bbox} vs ogrinfo ${states.extent}`));
      assert.deepEqual(version.change_counts, { added: states.featureCount, updated: 0, deleted: 0 });

      const log = await server.request('GET', version.import_log);
      assert.equal(log.status, 200, log.text);
      assert.match(log.headers.get('content-type') ?? '', /^text\/plain/);
      assert.ok(log.text.trim().length > 0, 'the import log is empty');

      // Until it is published, the layer shows its latest version.
      const layer = await get(created.url);
      assert.equal(layer.version.id, version.id);
      assert.equal(layer.this_version, version.url);
      assert.equal(layer.latest_version, version.url);
    });

    it("writes the version's own GeoPackage, with one layer named data", () => {
      const file = join(server.dataDir, 'layers', String(statesLayer.id), 'v1.gpkg');
      assert.ok(existsSync(file), `${file} is missing`);
      const [layer, ...rest] = ogrInfo(file);
      assert.equal(rest.length, 0, 'one layer only');
      assert.equal(layer!.name, 'data');
      assert.equal(layer!.featureCount, states.featureCount);
      assert.equal(layer!.geometryType, states.geometryType);
      const info = execFileSync('ogrinfo', ['-so', file, 'data'], { encoding: 'utf8' });
      assert.match(info, /ID\["EPSG",4326\]\]\s*$/m, info);
    });

    it('takes the datasource as a URL or as {id}, and name instead of title', async () => {
      const byUrl = await createLayer({ name: 'US nation', data: { datasources: [dsNation.url] } });
      assert.equal(byUrl.title, 'US nation');
      assert.equal(byUrl.name, 'US nation');
      assert.deepEqual(byUrl.data.datasources, [{ id: dsNation.id }]);
      const byObject = await createLayer({ title: 'US nation again', data: { datasources: [{ id: dsNation.id }] } });
      assert.deepEqual(byObject.data.datasources, [{ id: dsNation.id }]);
      nationLayer = await waitForImport(byUrl.version.url);
      nationByIdLayer = await waitForImport(byObject.version.url);
      for (const layer of [nationLayer, nationByIdLayer]) {
        assert.equal(layer.version.status, 'ok', JSON.stringify(layer.version));
        assert.equal(layer.data.feature_count, 1);
      }
    });

    it('creates a table from a datasource without geometry (on tables/ or on layers/, as Koordinates), and refuses a vector datasource on tables/', async () => {
      const res = await server.request('POST', 'tables/', { body: { title: 'State names', data: { datasources: [dsTable.id] } } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.headers.get('location'), res.body.url);
      assert.match(res.body.url, new RegExp(`^${server.api}tables/\\d+/$`));
      assert.equal(res.body.type, 'table');
      assert.equal(res.body.kind, 'table');
      table = await waitForImport(res.body.version.url);
      assert.equal(table.version.status, 'ok', JSON.stringify(table.version));
      assert.equal(table.data.geometry_type, null);
      assert.equal(table.data.feature_count, states.featureCount);
      assert.deepEqual(
        table.data.fields.map((f) => f.name).filter((n) => ['id', 'name'].includes(n)),
        ['id', 'name'],
      );

      // Koordinates' Layers & Tables API (and the Python client's tables.create) POSTs tables to layers/.
      const viaLayers = await server.request('POST', 'layers/', { body: { title: 'State names via layers/', data: { datasources: [dsTable.id] } } });
      assert.equal(viaLayers.status, 201, viaLayers.text);
      assert.match(viaLayers.body.url, new RegExp(`^${server.api}tables/\\d+/$`), 'a table keeps its own URL');
      assert.equal(viaLayers.body.type, 'table');
      assert.equal(viaLayers.body.kind, 'table');
      assert.equal(viaLayers.body.data.crs, null);
      assert.equal(viaLayers.body.data.extent, null);
      assert.equal((await server.request('DELETE', `layers/${viaLayers.body.id}/`)).status, 204);

      const layerAsTable = await server.request('POST', 'tables/', { body: { title: 'Nope', data: { datasources: [dsStates.id] } } });
      assertBadRequest(layerAsTable, 'body.data.datasources[0]', 'a vector datasource on tables/');
      assert.match(layerAsTable.text, /\/layers\//, 'the refusal names layers/');
    });

    it('needs a CRS for a dataset that has none, and refuses one GDAL does not know', async () => {
      const without = await server.request('POST', 'layers/', { body: { title: 'Places', data: { datasources: [dsPoints.id] } } });
      assertBadRequest(without, 'body.data.crs', 'no CRS');
      const unknown = await server.request('POST', 'layers/', { body: { title: 'Places', data: { datasources: [dsPoints.id], crs: 'EPSG:999999' } } });
      assertBadRequest(unknown, 'body.data.crs', 'an unknown CRS');

      points = await importedLayer({ title: 'Places', data: { datasources: [dsPoints.id], crs: 'EPSG:4326' } });
      assert.equal(points.data.crs, 'EPSG:4326');
      assert.equal(points.data.feature_count, states.featureCount);
      assert.equal(points.data.geometry_type, 'Point');
      const [minx, miny, maxx, maxy] = bboxOf(points.data.extent);
      assert.ok(minx >= -180 && maxx <= 180 && miny >= -90 && maxy <= 90 && minx < maxx && miny < maxy, `extent ${[minx, miny, maxx, maxy]}`);
    });

    it('refuses bad input with 400 and leaves nothing behind', async () => {
      const before = total(await server.request('HEAD', 'layers/drafts/'));
      const cases: Array<[string, Record<string, unknown>, string | null, string?]> = [
        ['a datasource of another group', { title: 'x', data: { datasources: [dsStates.id] } }, 'body.data.datasources[0]', outsider.token],
        ['a datasource that does not exist', { title: 'x', data: { datasources: [999999] } }, 'body.data.datasources[0]'],
        ['a datasource URL of something else', { title: 'x', data: { datasources: [`${server.api}layers/1/`] } }, 'body.data.datasources[0]'],
        ['no data', { title: 'x' }, 'body.data'],
        ['no datasources', { title: 'x', data: {} }, 'body.data.datasources'],
        ['no title', { data: { datasources: [dsStates.id] } }, 'body.title'],
        ['an unknown field', { title: 'x', colour: 'red', data: { datasources: [dsStates.id] } }, 'body.colour'],
        ['an unknown data field', { title: 'x', data: { datasources: [dsStates.id], format: 'gpkg' } }, 'body.data.format'],
        ['a number as title', { title: 5, data: { datasources: [dsStates.id] } }, 'body.title'],
        ['a boolean datasource', { title: 'x', data: { datasources: [true] } }, 'body.data.datasources[0]'],
        ['datasources not a list', { title: 'x', data: { datasources: dsStates.id } }, 'body.data.datasources'],
        ['tags not a list', { title: 'x', tags: 'a,b', data: { datasources: [dsStates.id] } }, 'body.tags'],
        ['a license that does not exist', { title: 'x', license: 999999, data: { datasources: [dsStates.id] } }, 'body.license'],
      ];
      for (const [what, body, location, token] of cases) {
        assertBadRequest(await server.request('POST', 'layers/', { body, token }), location, what);
      }
      const text = await server.request('POST', 'layers/', { raw: '{"title": "x", ', headers: { 'content-type': 'application/json' } });
      assertBadRequest(text, null, 'broken JSON');
      assert.equal(total(await server.request('HEAD', 'layers/drafts/')), before, 'a refused request made a layer');
    });

    it('records a failed import as status error with a message, and leaves no data file', async () => {
      // The datasource was scanned; its file then disappears from disk before the import.
      const folder = join(server.dataDir, 'sources', String(brokenSource));
      assert.ok(existsSync(folder), `${folder} is missing`);
      for (const name of readdirSync(folder)) rmSync(join(folder, name), { recursive: true, force: true });

      const created = await createLayer({ title: 'Broken', data: { datasources: [dsBroken.id] } });
      failed = await waitForImport(created.version.url);
      assert.equal(failed.version.status, 'error', JSON.stringify(failed.version));
      assert.equal(typeof failed.version.error, 'string');
      assert.ok(failed.version.error!.trim().length > 10, `an actionable message: ${failed.version.error}`);
      const log = await server.request('GET', failed.version.import_log);
      assert.equal(log.status, 200);
      assert.match(log.text, /error/i);
      assert.ok(!existsSync(join(server.dataDir, 'layers', String(failed.id), 'v1.gpkg')), 'a failed import left a data file');
      const tmp = join(server.dataDir, 'tmp');
      const scratch = existsSync(tmp) ? readdirSync(tmp).filter((n) => n.startsWith(`import-${failed.version.id}-`)) : [];
      assert.deepEqual(scratch, [], 'a failed import left scratch files');
    });

    it('records the import of a file truncated after its scan as status error', async () => {
      const file = join(server.dataDir, 'sources', String(truncatedSource), dsTruncated.upload_path);
      assert.ok(existsSync(file), `${file} is missing`);
      truncateSync(file, 60_000);
      const created = await createLayer({ title: 'Truncated', data: { datasources: [dsTruncated.id] } });
      const done = await waitForImport(created.version.url);
      assert.equal(done.version.status, 'error', JSON.stringify(done.version));
      assert.ok((done.version.error ?? '').trim().length > 10, `an actionable message: ${done.version.error}`);
      assert.equal(done.data.feature_count, null, 'no data from a failed import');
      assert.ok(!existsSync(join(server.dataDir, 'layers', String(created.id), 'v1.gpkg')), 'a failed import left a data file');
      const del = await server.request('DELETE', created.url);
      assert.equal(del.status, 204, del.text);
    });
  });

  describe('versions', () => {
    it('lists versions; a never-published layer has a draft and no published version', async () => {
      const list = await server.request('GET', `${statesLayer.url}versions/`);
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(
        (list.body as Layer[]).map((v) => v.version.id),
        [statesLayer.version.id],
      );
      const draft = await server.request('GET', `${statesLayer.url}versions/draft/`);
      assert.equal(draft.status, 200, draft.text);
      assert.equal(draft.body.version.id, statesLayer.version.id);
      const published = await server.request('GET', `${statesLayer.url}versions/published/`);
      assert.equal(published.status, 404, published.text);
      const one = await get(statesLayer.version.url);
      assert.equal(one.version.id, statesLayer.version.id);

      // A draft exists already.
      const second = await server.request('POST', `${statesLayer.url}versions/`, { body: {} });
      assert.equal(second.status, 409, second.text);
    });

    it('publishes one version: 201 with Location to the publish request, completed', async () => {
      const res = await server.request('POST', `${statesLayer.version.url}publish/`, { body: {} });
      assert.equal(res.status, 201, res.text);
      const publish = res.body as Publish;
      publishIds.push(publish.id);
      assert.match(publish.url, new RegExp(`^${server.api}publish/\\d+/$`));
      assert.equal(res.headers.get('location'), publish.url);
      assert.equal(publish.state, 'completed');
      assert.deepEqual(publish.items, [statesLayer.version.url]);
      const got = await get<Publish>(publish.url);
      assert.equal(got.state, 'completed');

      const layer = await get(statesLayer.url);
      assert.equal(layer.published_version, statesLayer.version.url);
      assert.ok(layer.published_at, 'published_at is set');
      assert.equal(layer.version.id, statesLayer.version.id);

      const again = await server.request('POST', `${statesLayer.version.url}publish/`, { body: {} });
      assert.equal(again.status, 409, again.text);

      const draft = await server.request('GET', `${statesLayer.url}versions/draft/`);
      assert.equal(draft.status, 404, draft.text);
      const published = await get(`${statesLayer.url}versions/published/`);
      assert.equal(published.version.id, statesLayer.version.id);
    });

    it('creates a draft that shares the data (201), and only one', async () => {
      const res = await server.request('POST', `${statesLayer.url}versions/`, { body: {} });
      assert.equal(res.status, 201, res.text);
      const draft = res.body as Layer;
      assert.equal(draft.version.number, 2);
      assert.notEqual(draft.version.id, statesLayer.version.id);
      assert.equal(draft.version.status, 'ok');
      assert.deepEqual(draft.version.change_counts, { added: 0, updated: 0, deleted: 0 });
      assert.equal(draft.data.feature_count, states.featureCount);
      assert.equal(draft.data.crs, 'EPSG:4326');
      assert.equal(draft.title, statesLayer.title);
      assert.equal(draft.version.published_at, null);
      const again = await server.request('POST', `${statesLayer.url}versions/`, { body: {} });
      assert.equal(again.status, 409, again.text);
      assert.ok(Array.isArray(again.body?.errors) || typeof again.body?.detail === 'string', again.text);

      const list = await server.request('GET', `${statesLayer.url}versions/`, { headers: { expand: 'list' } });
      assert.deepEqual(
        (list.body as Layer[]).map((v) => v.version.number),
        [1, 2],
      );
      const byRef = await get(`${statesLayer.url}versions/draft/`);
      assert.equal(byRef.version.id, draft.version.id);

      // Location names the created resource, the new version (clients GET it and use that body).
      const location = res.headers.get('location');
      assert.ok(location, 'Location header');
      const followed = await get(location);
      assert.equal(followed.version.id, draft.version.id, `Location ${location} should lead to the new draft`);
    });

    it("edits a draft's title, description, tags, categories and license; never a published version", async () => {
      const draft = await get(`${statesLayer.url}versions/draft/`);
      const licenses = await server.request('GET', 'licenses/');
      assert.equal(licenses.status, 200, licenses.text);
      const license = (licenses.body as Array<{ id: number; url: string }>)[0]!;
      assert.ok(license, 'a seeded license');
      const edit = {
        title: 'US states (edited)',
        description: 'States and territories.\n\nFrom us-atlas.',
        tags: ['usa', 'boundaries'],
        categories: ['Boundaries'],
        license: license.url,
      };
      const res = await server.request('PUT', draft.version.url, { body: edit });
      assert.equal(res.status, 200, res.text);
      for (const body of [res.body as Layer, await get(draft.version.url)]) {
        assert.equal(body.title, edit.title);
        assert.equal(body.name, edit.title);
        assert.equal(body.description, edit.description);
        assert.deepEqual(body.tags, edit.tags);
        assert.deepEqual(body.categories, edit.categories);
        assert.equal(body.license?.id, license.id);
        assert.equal(body.version.status, 'ok', 'metadata edits do not re-import');
      }
      const byId = await server.request('PUT', draft.version.url, { body: { license: license.id } });
      assert.equal(byId.status, 200, byId.text);
      assert.equal(byId.body.license.id, license.id);
      const badLicense = await server.request('PUT', draft.version.url, { body: { license: 999999 } });
      assertBadRequest(badLicense, 'body.license', 'an unknown license');
      const unknownField = await server.request('PUT', draft.version.url, { body: { colour: 'red' } });
      assertBadRequest(unknownField, 'body.colour', 'an unknown field');

      // The published version is as it was.
      const published = await server.request('PUT', statesLayer.version.url, { body: { title: 'Changed' } });
      assert.equal(published.status, 409, published.text);
      const v1 = await get(statesLayer.version.url);
      assert.equal(v1.title, 'US states');
      const layer = await get(statesLayer.url);
      assert.equal(layer.title, 'US states', 'the layer shows its published version');
    });

    it('deletes a draft (204) but never a published version nor the only version', async () => {
      const draft = await get(`${statesLayer.url}versions/draft/`);
      const published = await server.request('DELETE', statesLayer.version.url);
      assert.equal(published.status, 409, published.text);
      const only = await server.request('DELETE', points.version.url);
      assert.equal(only.status, 409, only.text);
      assert.equal((await get(points.version.url)).version.id, points.version.id);

      const res = await server.request('DELETE', draft.version.url);
      assert.equal(res.status, 204, res.text);
      const gone = await server.request('GET', draft.version.url);
      assert.equal(gone.status, 404, gone.text);
      const list = await server.request('GET', `${statesLayer.url}versions/`);
      assert.deepEqual(
        (list.body as Layer[]).map((v) => v.version.id),
        [statesLayer.version.id],
      );
      assert.ok(existsSync(join(server.dataDir, 'layers', String(statesLayer.id), 'v1.gpkg')), 'deleting a draft sharing the data kept v1.gpkg');
    });

    it('start_update re-imports into version 2 (202 + Location); unchanged data counts no changes', async () => {
      const res = await server.request('POST', `${statesLayer.url}versions/import/`, { body: {} });
      assert.equal(res.status, 202, res.text);
      const location = res.headers.get('location');
      assert.ok(location, 'Location header');
      const started = res.body as Layer;
      assert.equal(started.version.number, 2);
      assert.notEqual(started.version.id, statesLayer.version.id);
      assert.ok(importing.includes(started.version.status) || started.version.status === 'ok', started.version.status);

      const v2 = await waitForImport(started.version.url);
      assert.equal(v2.version.status, 'ok', JSON.stringify(v2.version));
      assert.equal(v2.data.feature_count, states.featureCount);
      assert.deepEqual(v2.version.change_counts, { added: 0, updated: 0, deleted: 0 });
      assert.ok(existsSync(join(server.dataDir, 'layers', String(statesLayer.id), 'v2.gpkg')), 'v2.gpkg');
      // The layer still shows its published version.
      const layer = await get(statesLayer.url);
      assert.equal(layer.version.id, statesLayer.version.id);
      assert.equal(layer.latest_version, v2.version.url);

      // A second start_update while a draft exists is a conflict.
      const again = await server.request('POST', `${statesLayer.url}versions/import/`, { body: {} });
      assert.equal(again.status, 409, again.text);

      // Location names the created resource, the new version (clients GET it and use that body).
      const followed = await get(location);
      assert.equal(followed.version.id, v2.version.id, `Location ${location} should lead to the new version, not the published one`);
    });

    it('re-imports a draft from new data on PUT, counting 2 deleted and 1 updated feature', async () => {
      const draft = await waitForImport(`${statesLayer.url}versions/draft/`);
      assert.equal(draft.version.number, 2);
      assert.equal(draft.version.status, 'ok');
      const res = await server.request('PUT', draft.version.url, { body: { data: { datasources: [dsEdited.id] } } });
      assert.equal(res.status, 200, res.text);
      assert.ok(importing.includes(res.body.version.status), `PUT with data re-imports: ${res.body.version.status}`);
      assert.deepEqual(res.body.data.datasources, [{ id: dsEdited.id }]);
      const v2 = await waitForImport(draft.version.url);
      assert.equal(v2.version.status, 'ok', JSON.stringify(v2.version));
      assert.equal(v2.data.feature_count, states.featureCount - 2);
      assert.deepEqual(v2.version.change_counts, { added: 0, updated: 1, deleted: 2 });
      const file = join(server.dataDir, 'layers', String(statesLayer.id), 'v2.gpkg');
      assert.equal(ogrInfo(file)[0]!.featureCount, states.featureCount - 2);

      // Re-import by POST …/{vid}/import/: the same data, the same counts.
      const reimport = await server.request('POST', `${draft.version.url}import/`, { body: {} });
      assert.equal(reimport.status, 202, reimport.text);
      const again = await waitForImport(draft.version.url);
      assert.equal(again.version.status, 'ok');
      assert.deepEqual(again.version.change_counts, { added: 0, updated: 1, deleted: 2 });

      // Version 1, published, is unchanged.
      const v1 = await get(statesLayer.version.url);
      assert.equal(v1.data.feature_count, states.featureCount);
      assert.equal(ogrInfo(join(server.dataDir, 'layers', String(statesLayer.id), 'v1.gpkg'))[0]!.featureCount, states.featureCount);

      // Publishing version 2 leaves version 1 readable as it was.
      const publish = await server.request('POST', `${draft.version.url}publish/`, { body: {} });
      assert.equal(publish.status, 201, publish.text);
      publishIds.push(publish.body.id);
      assert.equal((await waitForPublish(publish.body.url)).state, 'completed');
      const layer = await get(statesLayer.url);
      assert.equal(layer.published_version, draft.version.url);
      assert.equal(layer.version.id, draft.version.id);
      assert.equal(layer.data.feature_count, states.featureCount - 2);
      const old = await get(statesLayer.version.url);
      assert.equal(old.data.feature_count, states.featureCount);
      assert.ok(old.version.published_at, 'version 1 stays published');
      assert.equal(old.version.change_counts?.added, states.featureCount);
      const reimportPublished = await server.request('POST', `${statesLayer.version.url}import/`, { body: {} });
      assert.equal(reimportPublished.status, 409, reimportPublished.text);
      const versions = await server.request('GET', `${statesLayer.url}versions/?published_at.isnull=false`, { headers: { expand: 'list' } });
      assert.equal(versions.status, 200, versions.text);
      assert.deepEqual(
        (versions.body as Layer[]).map((v) => v.version.number),
        [1, 2],
      );
    });
  });

  describe('publishing', () => {
    it('publishes a layer and a table together; accepts strategy as an alias', async () => {
      const { res, publish } = await publishNow({ items: [nationLayer.version.url, table.version.url], publish_strategy: 'together' });
      assert.equal(res.headers.get('location'), publish.url);
      assert.equal(publish.publish_strategy, 'together');
      const done = await waitForPublish(publish.url);
      assert.equal(done.state, 'completed', JSON.stringify(done));
      assert.deepEqual([...done.items].sort(), [nationLayer.version.url, table.version.url].sort());
      for (const item of [nationLayer, table]) {
        const layer = await get(item.url);
        assert.equal(layer.published_version, item.version.url, `${item.url} is published`);
      }

      const alias = await publishNow({ items: [points.version.url], strategy: 'individual' });
      assert.equal(alias.publish.publish_strategy, 'individual');
      assert.equal((await waitForPublish(alias.publish.url)).state, 'completed');
      assert.equal((await get(points.url)).published_version, points.version.url);
    });

    it('publishes a version that is still importing once its import ends', async () => {
      const created = await createLayer({ title: 'Nation, published on import', data: { datasources: [dsNation.id] } });
      const { publish } = await publishNow({ items: [created.version.url] });
      assert.ok(['publishing', 'completed'].includes(publish.state), publish.state);
      const done = await waitForPublish(publish.url);
      assert.equal(done.state, 'completed', JSON.stringify(done));
      const layer = await get(created.url);
      assert.equal(layer.version.status, 'ok');
      assert.equal(layer.published_version, created.version.url);
    });

    it('fails a publish on a failed import (abort), or skips it (ignore)', async () => {
      const good = await importedLayer({ title: 'Good states', data: { datasources: [dsStates.id] } });

      const alone = await publishNow({ items: [failed.version.url], error_strategy: 'abort' });
      assert.equal((await waitForPublish(alone.publish.url)).state, 'error');

      // Together with abort: all or nothing.
      const both = await publishNow({ items: [failed.version.url, good.version.url], publish_strategy: 'together', error_strategy: 'abort' });
      const aborted = await waitForPublish(both.publish.url);
      assert.equal(aborted.state, 'error', JSON.stringify(aborted));
      assert.ok(aborted.error, 'the error says why');
      assert.equal((await get(good.url)).published_version, null, 'an aborted request published nothing');

      const ignoring = await publishNow({ items: [failed.version.url, good.version.url], error_strategy: 'ignore' });
      const done = await waitForPublish(ignoring.publish.url);
      assert.equal(done.state, 'completed', JSON.stringify(done));
      assert.equal((await get(good.url)).published_version, good.version.url);
      assert.equal((await get(failed.url)).published_version, null);
    });

    it('schedules a publish for later, cancels it, and lists requests', async () => {
      const draft = await server.request('POST', `${nationLayer.url}versions/`, { body: {} });
      assert.equal(draft.status, 201, draft.text);
      const later = new Date(Date.now() + 3600_000).toISOString();
      const { publish } = await publishNow({ items: [draft.body.version.url], publish_at: later });
      assert.equal(publish.state, 'pending');
      assert.equal(Date.parse(publish.publish_at!), Date.parse(later));
      await sleep(300);
      assert.equal((await get<Publish>(publish.url)).state, 'pending');
      assert.equal((await get(draft.body.version.url)).version.published_at, null);
      // A version waiting in a request can't be published again meanwhile.
      const queued = await server.request('POST', `${draft.body.version.url}publish/`, { body: {} });
      assert.equal(queued.status, 409, queued.text);

      const cancel = await server.request('DELETE', publish.url);
      assert.equal(cancel.status, 204, cancel.text);
      assert.equal((await get<Publish>(publish.url)).state, 'cancelled');
      assert.equal((await get(nationLayer.url)).published_version, nationLayer.version.url, 'the cancelled draft was not published');

      const completed = publishIds[0]!;
      const notPending = await server.request('DELETE', `publish/${completed}/`);
      assert.equal(notPending.status, 409, notPending.text);

      const list = await server.request('GET', 'publish/?page_size=100');
      assert.equal(list.status, 200, list.text);
      const ids = (list.body as Publish[]).map((p) => p.id);
      assert.deepEqual([...ids].sort((a, b) => a - b), [...publishIds].sort((a, b) => a - b));
      const head = await server.request('HEAD', 'publish/');
      assert.equal(head.status, 200);
      assert.equal(total(head), publishIds.length);
      const missing = await server.request('GET', 'publish/999999/');
      assert.equal(missing.status, 404);
    });

    it('refuses bad publish requests', async () => {
      assertBadRequest(await server.request('POST', 'publish/', { body: { items: [] } }), 'body.items', 'no items');
      assertBadRequest(await server.request('POST', 'publish/', { body: {} }), 'body.items', 'missing items');
      assertBadRequest(
        await server.request('POST', 'publish/', { body: { items: [`${server.api}layers/1/versions/999999/`] } }),
        'body.items[0]',
        'an unknown version',
      );
      assertBadRequest(
        await server.request('POST', 'publish/', { body: { items: [points.version.url], publish_strategy: 'sometimes' } }),
        'body.publish_strategy',
        'an unknown strategy',
      );
      const published = await server.request('POST', 'publish/', { body: { items: [points.version.url] } });
      assert.equal(published.status, 409, published.text);
    });
  });

  describe('lists', () => {
    it('lists published layers and tables on layers/ and unpublished ones on layers/drafts/', async () => {
      const published = await server.request('GET', 'layers/?page_size=100');
      assert.equal(published.status, 200, published.text);
      const publishedItems = published.body as Layer[];
      assert.ok(publishedItems.length > 0);
      assert.ok(publishedItems.every((l) => l.published_at !== null), published.text);
      const publishedIds = publishedItems.map((l) => l.id);
      for (const layer of [statesLayer, nationLayer, points]) assert.ok(publishedIds.includes(layer.id), `${layer.url} on layers/`);
      assert.ok(!publishedIds.includes(failed.id), 'a never-published layer is not on layers/');
      assert.ok(!publishedIds.includes(nationByIdLayer.id), 'a never-published layer is not on layers/');
      // As Koordinates' layers/, tables are listed too (kind=vector and kind=table pick one).
      const listedTable = publishedItems.find((l) => l.id === table.id);
      assert.ok(listedTable, 'the published table is on layers/');
      assert.equal(listedTable.type, 'table');
      assert.equal(listedTable.kind, 'table');
      assert.equal(listedTable.url, table.url);
      const vectors = await server.request('GET', 'layers/?kind=vector&page_size=100');
      assert.ok((vectors.body as Layer[]).every((l) => l.type === 'layer') && (vectors.body as Layer[]).some((l) => l.id === points.id), vectors.text);
      const tablesOnLayers = await server.request('GET', 'layers/?kind=table');
      assert.deepEqual((tablesOnLayers.body as Layer[]).map((l) => l.id), [table.id]);
      const byType = await server.request('GET', 'layers/?type=table');
      assert.deepEqual((byType.body as Layer[]).map((l) => l.id), [table.id]);
      // The nation layer is listed as of its published version, not its (cancelled-publish) draft.
      assert.equal(publishedItems.find((l) => l.id === nationLayer.id)!.version.id, nationLayer.version.id);

      const drafts = await server.request('GET', 'layers/drafts/?page_size=100');
      assert.equal(drafts.status, 200, drafts.text);
      const draftItems = drafts.body as Layer[];
      assert.ok(draftItems.every((l) => l.published_at === null), drafts.text);
      const draftIds = draftItems.map((l) => l.id);
      for (const layer of [failed, nationByIdLayer]) assert.ok(draftIds.includes(layer.id), `${layer.url} on layers/drafts/`);
      for (const layer of [points, statesLayer]) assert.ok(!draftIds.includes(layer.id), `${layer.url}: its latest version is published, so it has no draft`);

      const tables = await server.request('GET', 'tables/');
      assert.deepEqual(
        (tables.body as Layer[]).map((t) => t.id),
        [table.id],
      );
    });

    it('filters, sorts and counts', async () => {
      const byTitle = await server.request('GET', 'layers/drafts/?title.icontains=BROKEN');
      assert.equal(byTitle.status, 200, byTitle.text);
      assert.deepEqual(
        (byTitle.body as Layer[]).map((l) => l.id),
        [failed.id],
      );
      const errors = await server.request('GET', 'layers/drafts/?version.status=error');
      assert.equal(errors.status, 200, errors.text);
      assert.deepEqual(
        (errors.body as Layer[]).map((l) => l.id),
        [failed.id],
      );
      const ok = await server.request('GET', 'layers/drafts/?version.status=ok&page_size=100');
      assert.ok((ok.body as Layer[]).every((l) => l.version.status === 'ok') && !(ok.body as Layer[]).some((l) => l.id === failed.id), ok.text);

      for (const path of ['layers/?sort=-created_at&page_size=100', 'layers/drafts/?sort=-created_at&page_size=100']) {
        const sorted = await server.request('GET', path, { headers: { expand: 'list' } });
        assert.equal(sorted.status, 200, sorted.text);
        const created = (sorted.body as Layer[]).map((l) => Date.parse(l.created_at));
        assert.deepEqual(created, [...created].sort((a, b) => b - a), `${path} is newest first`);
      }
      const ascending = await server.request('GET', 'layers/?sort=created_at&page_size=100', { headers: { expand: 'list' } });
      const created = (ascending.body as Layer[]).map((l) => Date.parse(l.created_at));
      assert.deepEqual(created, [...created].sort((a, b) => a - b));

      const all = await server.request('GET', 'layers/?page_size=100');
      const head = await server.request('HEAD', 'layers/?page_size=2');
      assert.equal(head.status, 200);
      assert.equal(head.text, '');
      const n = (all.body as Layer[]).length;
      assert.equal(head.headers.get('x-resource-range'), `0-${Math.min(2, n)}/${n}`);
      const headDrafts = await server.request('HEAD', 'layers/drafts/');
      assert.equal(total(headDrafts), (await server.request('GET', 'layers/drafts/?page_size=100')).body.length);

      const unknown = await server.request('GET', 'layers/?colour=red');
      assert.equal(unknown.status, 400, unknown.text);
    });
  });

  describe('permissions', () => {
    it('lets a viewer of the owning group read but not change', async () => {
      const layer = await get(statesLayer.url, viewer.token);
      assert.equal(layer.id, statesLayer.id);
      const versions = await server.request('GET', `${statesLayer.url}versions/`, { token: viewer.token });
      assert.equal(versions.status, 200, versions.text);
      const draft = await server.request('POST', `${nationByIdLayer.url}versions/`, { token: viewer.token, body: {} });
      assert.equal(draft.status, 403, draft.text);
      const publish = await server.request('POST', `${nationByIdLayer.version.url}publish/`, { token: viewer.token, body: {} });
      assert.equal(publish.status, 403, publish.text);
      const del = await server.request('DELETE', nationByIdLayer.url, { token: viewer.token });
      assert.equal(del.status, 403, del.text);
      const create = await server.request('POST', 'layers/', { token: viewer.token, body: { title: 'x', group: defaultGroup, data: { datasources: [dsStates.id] } } });
      assert.equal(create.status, 403, create.text);
    });

    it("hides a group's layers from non-members", async () => {
      const res = await server.request('GET', statesLayer.url, { token: outsider.token });
      assert.equal(res.status, 404, res.text);
      const versions = await server.request('GET', `${statesLayer.url}versions/`, { token: outsider.token });
      assert.equal(versions.status, 404, versions.text);
      const draft = await server.request('POST', `${statesLayer.url}versions/`, { token: outsider.token, body: {} });
      assert.equal(draft.status, 404, draft.text);
      const list = await server.request('GET', 'layers/', { token: outsider.token });
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.body, []);
      const publish = await server.request('POST', 'publish/', { token: outsider.token, body: { items: [nationByIdLayer.version.url] } });
      assertBadRequest(publish, 'body.items[0]', "publishing another group's version");
    });

    it('needs layers:write to create, and a token at all', async () => {
      const res = await server.request('POST', 'layers/', { token: reader.token, body: { title: 'x', data: { datasources: [dsStates.id] } } });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.headers.get('accepted-oauth-scopes'), 'layers:write');
      const read = await server.request('GET', statesLayer.url, { token: reader.token });
      assert.equal(read.status, 200, read.text);

      for (const [method, path] of [
        ['POST', 'layers/'],
        ['POST', 'publish/'],
      ] as const) {
        const anonymous = await server.request(method, path, { token: null, body: { title: 'x', data: { datasources: [dsStates.id] } } });
        assert.equal(anonymous.status, 401, `${method} ${path}: ${anonymous.text}`);
      }
      // Reads take anonymous callers, who see only public items: a group's private layer is invisible.
      const anonymousList = await server.request('GET', 'layers/', { token: null });
      assert.equal(anonymousList.status, 200, anonymousList.text);
      assert.deepEqual(anonymousList.body, []);
      assert.equal(anonymousList.headers.get('x-resource-range'), '0-0/0');
      assert.equal((await server.request('GET', statesLayer.url, { token: null })).status, 404);
    });
  });

  describe('deleting', () => {
    it('deletes a layer with its versions and files', async () => {
      const folder = join(server.dataDir, 'layers', String(statesLayer.id));
      assert.ok(existsSync(folder));
      const res = await server.request('DELETE', statesLayer.url);
      assert.equal(res.status, 204, res.text);
      assert.equal((await server.request('GET', statesLayer.url)).status, 404);
      assert.equal((await server.request('GET', statesLayer.version.url)).status, 404);
      assert.equal((await server.request('GET', `${statesLayer.url}versions/`)).status, 404);
      assert.ok(!existsSync(folder), `${folder} is still there`);
      assert.equal((await server.request('DELETE', statesLayer.url)).status, 404);

      // layers/ reaches tables too (Koordinates' Layers & Tables API): the detail and its versions.
      const asLayer = await server.request('GET', `layers/${table.id}/`);
      assert.equal(asLayer.status, 200, asLayer.text);
      assert.equal(asLayer.body.url, table.url);
      assert.equal((await server.request('GET', `layers/${table.id}/versions/${table.version.id}/`)).body?.version?.id, table.version.id);
      const tableDelete = await server.request('DELETE', table.url);
      assert.equal(tableDelete.status, 204, tableDelete.text);
      assert.equal((await server.request('GET', table.url)).status, 404);
      assert.ok(!existsSync(join(server.dataDir, 'layers', String(table.id))));
      // A layer is not reachable as a table: tables/ is the tables-only view.
      assert.equal((await server.request('GET', `tables/${points.id}/`)).status, 404);
    });
  });
});
