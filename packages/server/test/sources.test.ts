import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminToken, createUserWithToken, parseLinks, startTestServer, type TestServer } from './helpers/server.js';
import {
  buildZip,
  finishedScanStates,
  makeFixtures,
  part,
  uploadSource,
  waitForScan,
  type Fixture,
  type Fixtures,
  type OgrLayerInfo,
} from './helpers/uploads.js';

type Bbox = [number, number, number, number];

interface Datasource {
  id: number;
  url: string;
  source: string;
  title: string;
  data_type: 'vector' | 'table';
  format: string;
  upload_path: string;
  layer: string;
  geometry_type: string | null;
  crs: string | null;
  crs_wkt: string | null;
  fields: Array<{ name: string; type: string }>;
  num_features: number;
  extent: { type: 'Polygon'; coordinates: number[][][] } | null;
  metadata_path: string | null;
}

const rw = 'sources:read sources:write';

/** The lon/lat bounding box of an `extent` polygon. */
function bboxOf(extent: Datasource['extent']): Bbox {
  assert.ok(extent, 'extent is missing');
  assert.equal(extent.type, 'Polygon');
  const ring = extent.coordinates[0]!;
  const xs = ring.map((c) => c[0]!);
  const ys = ring.map((c) => c[1]!);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function assertBboxClose(actual: Bbox, expected: Bbox, what: string, tolerance = 1e-4): void {
  actual.forEach((value, i) =>
    assert.ok(Math.abs(value - expected[i]!) <= tolerance, `${what}: extent ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`),
  );
}

function assertWithinWorld([minx, miny, maxx, maxy]: Bbox, what: string): void {
  assert.ok(minx >= -180 && maxx <= 180 && miny >= -90 && maxy <= 90, `${what}: extent ${[minx, miny, maxx, maxy]} is not lon/lat`);
  assert.ok(minx < maxx && miny < maxy, `${what}: empty extent ${[minx, miny, maxx, maxy]}`);
}

function only<T>(items: T[], what: string): T {
  assert.equal(items.length, 1, `expected one ${what}, got ${items.length}`);
  return items[0]!;
}

describe('upload sources', () => {
  let server: TestServer;
  let work: string;
  let fx: Fixtures;
  let defaultGroup: number;

  const datasources = async (sourceId: number, token?: string): Promise<Datasource[]> => {
    const res = await server.request('GET', `sources/${sourceId}/datasources/?page_size=100`, { token, headers: { expand: 'list' } });
    assert.equal(res.status, 200, res.text);
    return res.body as Datasource[];
  };
  const logOf = async (scan: { log_url: string }) => {
    const res = await server.request('GET', scan.log_url);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    return res.text;
  };
  const dirEntries = (sub: string) => {
    const path = join(server.dataDir, sub);
    return existsSync(path) ? readdirSync(path) : [];
  };
  const sourceTotal = async () => {
    const res = await server.request('GET', 'sources/');
    return Number(/\/(\d+)$/.exec(res.headers.get('x-resource-range') ?? '')?.[1]);
  };
  /** Asserts a rejected upload left no scratch files, no source folder and no source row behind. */
  const assertNothingLeft = async (before: { tmp: string[]; folders: string[]; total: number }, what: string) => {
    assert.deepEqual(
      dirEntries('tmp').filter((f) => !before.tmp.includes(f)),
      [],
      `${what}: files left in tmp/`,
    );
    assert.deepEqual(dirEntries('sources').sort(), before.folders, `${what}: a sources/ folder was made`);
    assert.equal(await sourceTotal(), before.total, `${what}: a source row was made`);
  };
  const snapshot = async () => ({ tmp: dirEntries('tmp'), folders: dirEntries('sources').sort(), total: await sourceTotal() });

  /** Checks one vector datasource against what ogrinfo says of the dataset. */
  const assertMatchesOgr = (ds: Datasource, layer: OgrLayerInfo, crs: string | null) => {
    const what = `${ds.upload_path} [${ds.layer}]`;
    assert.equal(ds.num_features, layer.featureCount, `${what}: num_features`);
    assert.equal(ds.data_type, 'vector', what);
    assert.equal(ds.geometry_type, layer.geometryType, `${what}: geometry_type`);
    assert.equal(ds.crs, crs, `${what}: crs`);
    const bbox = bboxOf(ds.extent);
    assertWithinWorld(bbox, what);
    if (crs === 'EPSG:4326' || crs === null) assertBboxClose(bbox, layer.extent!, what);
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-sources-'));
    fx = makeFixtures(join(work, 'fixtures'));
    server = await startTestServer();
    const groups = await server.request('GET', 'groups/?name=Default');
    defaultGroup = only(groups.body as Array<{ id: number }>, 'Default group').id;
  });
  after(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  describe('formats', () => {
    it('takes a zipped Shapefile and a GeoPackage in one request: 201, a scan, one datasource per layer', async () => {
      const res = await uploadSource(server, 'US states', [part(fx.statesShpZip.path), part(fx.gpkg.path), part(fx.conusShpZip.path)]);
      assert.equal(res.status, 201, res.text);
      assert.equal(res.headers.get('location'), res.body.url);
      assert.match(res.body.url, new RegExp(`^${server.api}sources/\\d+/$`));
      assert.equal(res.body.type, 'upload');
      assert.equal(res.body.title, 'US states');
      assert.equal(res.body.group.id, defaultGroup, 'the admin owns it through their one group');
      assert.equal(res.body.scans, `${res.body.url}scans/`);
      assert.equal(res.body.datasources, `${res.body.url}datasources/`);
      assert.ok(res.body.latest_scan, res.text);
      assert.ok(['queued', 'scanning', 'completed'].includes(res.body.latest_scan.status), res.text);

      const scan = await waitForScan(server, res.body.url);
      const log = await logOf(scan);
      assert.equal(scan.status, 'completed', log);
      assert.deepEqual(scan.change_counts, { added: 4, updated: 0, deleted: 0 }, log);
      assert.equal(scan.progress, 1);
      assert.ok(scan.started_at && scan.completed_at, JSON.stringify(scan));

      const list = await datasources(res.body.id);
      assert.deepEqual(
        list.map((d) => [d.upload_path, d.layer]).sort(),
        [
          ['conus/conus_albers.shp', 'conus_albers'],
          ['states/states.shp', 'states'],
          ['us.gpkg', 'nation'],
          ['us.gpkg', 'states'],
        ],
      );
      const find = (path: string, layer: string) => only(list.filter((d) => d.upload_path === path && d.layer === layer), `${path} ${layer}`);

      const shp = find('states/states.shp', 'states');
      assertMatchesOgr(shp, fx.statesShpZip.layers[0]!, 'EPSG:4326');
      assert.equal(shp.format, 'ESRI Shapefile');
      assert.deepEqual(shp.fields, [
        { name: 'id', type: 'string' },
        { name: 'name', type: 'string' },
      ]);
      assert.equal(shp.metadata_path, null);
      // The states reach from American Samoa to Alaska; the conterminous US lies inside.
      const [minx, miny, maxx, maxy] = bboxOf(shp.extent);
      assert.ok(minx < -124 && maxx > -67 && miny < 25 && maxy > 49 && miny > -15 && maxy < 72, `states extent ${[minx, miny, maxx, maxy]}`);

      const conus = find('conus/conus_albers.shp', 'conus_albers');
      assert.equal(conus.crs, 'EPSG:5070', 'the ESRI .prj NAD_1983_Contiguous_USA_Albers is EPSG:5070');
      assert.equal(conus.crs_wkt, null, 'an identified CRS is given by its code');
      assert.equal(conus.num_features, fx.conusShpZip.layers[0]!.featureCount);
      assert.equal(conus.geometry_type, fx.conusShpZip.layers[0]!.geometryType);
      // The lon/lat extent of the projected box covers the conterminous US, and not much more.
      const conusBox = bboxOf(conus.extent);
      assertWithinWorld(conusBox, 'conus');
      assert.ok(conusBox[0] < -124 && conusBox[2] > -67 && conusBox[1] < 25 && conusBox[3] > 49, `conus extent ${conusBox}`);
      assert.ok(conusBox[0] > -140 && conusBox[2] < -50 && conusBox[1] > 15 && conusBox[3] < 60, `conus extent ${conusBox}`);

      for (const layer of fx.gpkg.layers) {
        const ds = find('us.gpkg', layer.name);
        assertMatchesOgr(ds, layer, 'EPSG:4326');
        assert.equal(ds.format, 'GeoPackage');
        assert.ok(ds.fields.every((f) => typeof f.name === 'string' && typeof f.type === 'string'), JSON.stringify(ds.fields));
      }
      assert.deepEqual(
        find('us.gpkg', 'states').fields.map((f) => f.name),
        ['id', 'name'],
      );
      assert.equal(find('us.gpkg', 'nation').num_features, 1);

      const one = await server.request('GET', shp.url);
      assert.equal(one.status, 200, one.text);
      assert.deepEqual(one.body, shp);
      assert.equal(shp.source, res.body.url);
    });

    it('lists a projected Shapefile whose box corners lie outside its projection, with a lon/lat extent', async () => {
      // Albers states from Guam to the Virgin Islands: the corners of their projected box have no lon/lat.
      const res = await uploadSource(server, 'Albers states', [part(fx.albersShpZip.path)]);
      assert.equal(res.status, 201, res.text);
      const scan = await waitForScan(server, res.body.id);
      const log = await logOf(scan);
      assert.equal(scan.status, 'completed', log);
      const ds = only(await datasources(res.body.id), `datasource (scan log:\n${log})`);
      assert.equal(ds.upload_path, 'albers/states_albers.shp');
      assert.equal(ds.crs, 'EPSG:5070');
      assert.equal(ds.num_features, fx.albersShpZip.layers[0]!.featureCount);
      const box = bboxOf(ds.extent);
      assertWithinWorld(box, 'albers');
      assert.ok(box[0] < -124 && box[2] > -67 && box[1] < 25 && box[3] > 49, `albers extent ${box}`);
    });

    it('lists every other format with the feature count GDAL reports', async () => {
      const files: Array<[Fixture, string]> = [
        [fx.countriesGeojson, 'countries.geojson'],
        [fx.statesGeojsonSeq, 'states.geojsonl'],
        [fx.statesFgb, 'states.fgb'],
        [fx.countriesKml, 'world.kml'],
        [fx.statesGml, 'states.gml'],
        [fx.lonLatCsv, 'places.csv'],
        [fx.wktCsv, 'states_wkt.csv'],
        [fx.theGeomCsv, 'states_the_geom.csv'],
        [fx.tableCsv, 'state_names.csv'],
      ];
      const res = await uploadSource(server, 'Every format', [...files.map(([f, as]) => part(f.path, as)), part(fx.statesGmlXsd)]);
      assert.equal(res.status, 201, res.text);
      const scan = await waitForScan(server, res.body.id);
      const log = await logOf(scan);
      assert.equal(scan.status, 'completed', log);
      assert.equal(scan.change_counts.added, files.length, log);

      const list = await datasources(res.body.id);
      const byPath = new Map(list.map((d) => [d.upload_path, d]));
      assert.deepEqual([...byPath.keys()].sort(), files.map(([, as]) => as).sort(), log);

      const crsOf: Record<string, string | null> = {
        'countries.geojson': 'EPSG:4326',
        'states.geojsonl': 'EPSG:4326',
        'states.fgb': 'EPSG:4326',
        'world.kml': 'EPSG:4326',
        'states.gml': 'EPSG:4326',
        // CSVs carry no CRS: reported as none, with no guess.
        'places.csv': null,
        'states_wkt.csv': null,
        'states_the_geom.csv': null,
      };
      for (const [fixture, as] of files) {
        const ds = byPath.get(as)!;
        if (as === 'state_names.csv') continue;
        assertMatchesOgr(ds, only(fixture.layers, `${as} layer`), crsOf[as]!);
      }
      assert.equal(byPath.get('places.csv')!.geometry_type, 'Point');
      assert.equal(byPath.get('places.csv')!.crs_wkt, null);
      assert.equal(byPath.get('countries.geojson')!.format, 'GeoJSON');
      assert.equal(byPath.get('states.geojsonl')!.format, 'GeoJSONSeq');
      assert.equal(byPath.get('states.fgb')!.format, 'FlatGeobuf');
      assert.equal(byPath.get('world.kml')!.format, 'KML');
      assert.equal(byPath.get('states.gml')!.format, 'GML');
      assert.equal(byPath.get('places.csv')!.format, 'CSV');

      const table = byPath.get('state_names.csv')!;
      assert.equal(table.data_type, 'table');
      assert.equal(table.geometry_type, null);
      assert.equal(table.crs, null);
      assert.equal(table.extent, null);
      assert.equal(table.num_features, fx.tableCsv.layers[0]!.featureCount);
      assert.deepEqual(
        table.fields.map((f) => f.name),
        ['id', 'name'],
      );

      // Vector datasets without a CRS are called out in the log; tables are not.
      assert.match(log, /places\.csv.*no CRS/);
      assert.doesNotMatch(log, /state_names\.csv: no CRS/);

      const tables = await server.request('GET', `sources/${res.body.id}/datasources/?data_type=table`);
      assert.deepEqual(
        tables.body.map((d: Datasource) => d.id),
        [table.id],
      );
    });

    it('keeps folders in a file name as its upload path', async () => {
      const res = await uploadSource(server, 'Nested', [part(fx.countriesGeojson.path, 'world/countries.geojson')]);
      assert.equal(res.status, 201, res.text);
      assert.equal((await waitForScan(server, res.body.id)).status, 'completed');
      const ds = only(await datasources(res.body.id), 'datasource');
      assert.equal(ds.upload_path, 'world/countries.geojson', 'the multipart filename is the upload path');
    });

    it('reads loose Shapefile parts sent as separate files, with a same-named .xml as metadata', async () => {
      const { shp, shx, dbf, prj } = fx.statesShpParts;
      const xml = Buffer.from(
        '<?xml version="1.0"?><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>US states</dc:title></metadata>',
      );
      const res = await uploadSource(server, 'Loose parts', [part(shp), part(shx), part(dbf), part(prj), { name: 'states.xml', data: xml }]);
      assert.equal(res.status, 201, res.text);
      const scan = await waitForScan(server, res.body.id);
      assert.equal(scan.status, 'completed', await logOf(scan));
      const ds = only(await datasources(res.body.id), 'datasource');
      assert.equal(ds.upload_path, 'states.shp');
      assert.equal(ds.metadata_path, 'states.xml');
      assertMatchesOgr(ds, fx.statesShpZip.layers[0]!, 'EPSG:4326');
      assert.equal(
        readFileSync(join(server.dataDir, 'sources', String(res.body.id), 'states.xml'), 'utf8'),
        xml.toString(),
        'the metadata document is kept beside the dataset',
      );
    });

    it('gives a dataset its same-named .xml, and no other', async () => {
      const xml = Buffer.from('<?xml version="1.0"?><gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"/>');
      const res = await uploadSource(server, 'Metadata', [
        part(fx.countriesGeojson.path),
        { name: 'countries.xml', data: xml },
        part(fx.statesFgb.path),
      ]);
      assert.equal(res.status, 201, res.text);
      assert.equal((await waitForScan(server, res.body.id)).status, 'completed');
      const list = await datasources(res.body.id);
      assert.deepEqual(
        list.map((d) => [d.upload_path, d.metadata_path]),
        [
          ['countries.geojson', 'countries.xml'],
          ['states.fgb', null],
        ],
      );
    });
  });

  describe('bad files', () => {
    it('ends the scan in error, naming the missing .shx, when a Shapefile lacks it', async () => {
      const { shp, dbf, prj } = fx.statesShpParts;
      const res = await uploadSource(server, 'No shx', [part(shp), part(dbf), part(prj)]);
      assert.equal(res.status, 201, res.text);
      const scan = await waitForScan(server, res.body.url);
      assert.equal(scan.status, 'error');
      const log = await logOf(scan);
      assert.match(log, /states\.shp.*\.shx/, log);
      assert.deepEqual(await datasources(res.body.id), []);
    });

    it('ends the scan in error with an actionable line for a truncated GeoPackage alone', async () => {
      const broken = { name: 'broken.gpkg', data: readFileSync(fx.gpkg.path).subarray(0, 2048) };
      const res = await uploadSource(server, 'Truncated', [broken]);
      assert.equal(res.status, 201, res.text);
      const scan = await waitForScan(server, res.body.id);
      assert.equal(scan.status, 'error');
      const log = await logOf(scan);
      const line = log.split('\n').find((l) => l.includes('broken.gpkg'));
      assert.ok(line, log);
      assert.match(line, /ERROR/);
      assert.match(line, /corrupt|complete|truncated|damaged/i, line);
      assert.deepEqual(await datasources(res.body.id), []);
    });

    it('completes a scan with a good file beside a truncated one, listing only the good one', async () => {
      const broken = { name: 'broken.gpkg', data: readFileSync(fx.gpkg.path).subarray(0, 2048) };
      const res = await uploadSource(server, 'Half good', [broken, part(fx.countriesGeojson.path)]);
      assert.equal(res.status, 201, res.text);
      const scan = await waitForScan(server, res.body.id);
      const log = await logOf(scan);
      assert.equal(scan.status, 'completed', log);
      assert.match(log, /ERROR broken\.gpkg/, log);
      const ds = only(await datasources(res.body.id), 'datasource');
      assert.equal(ds.upload_path, 'countries.geojson');
      assert.equal(ds.num_features, fx.countriesGeojson.layers[0]!.featureCount);
    });

    it('rejects a zip with ../ or absolute entry paths (400), leaving nothing behind', async () => {
      const good = readFileSync(fx.countriesGeojson.path);
      for (const name of ['../evil.txt', '/etc/x']) {
        const before = await snapshot();
        const zip = await buildZip([
          { name: 'countries.geojson', data: good },
          { name, data: Buffer.from('gotcha') },
        ]);
        const res = await uploadSource(server, 'Evil', [{ name: 'evil.zip', data: zip }]);
        assert.equal(res.status, 400, `${name}: ${res.text}`);
        assert.equal(res.body.code, 'invalid_parameter', res.text);
        await assertNothingLeft(before, name);
        assert.ok(!existsSync(join(server.dataDir, 'evil.txt')) && !existsSync(join(server.dataDir, 'tmp', 'evil.txt')));
      }
    });

    it('rejects a zip bomb and a zip with over 10,000 entries (400), leaving nothing behind', async () => {
      let before = await snapshot();
      const bomb = await buildZip([{ name: 'zeros.geojson', data: Buffer.alloc(50 * 1024 * 1024), compress: true }]);
      assert.ok(bomb.length < 1024 * 1024, `the bomb is ${bomb.length} bytes`);
      const res = await uploadSource(server, 'Bomb', [{ name: 'bomb.zip', data: bomb }]);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.code, 'invalid_parameter');
      assert.match(res.body.detail, /zip bomb/i);
      await assertNothingLeft(before, 'zip bomb');

      before = await snapshot();
      const many = await buildZip(Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from('x'), compress: false })));
      const crowd = await uploadSource(server, 'Crowd', [{ name: 'many.zip', data: many }]);
      assert.equal(crowd.status, 400, crowd.text);
      assert.equal(crowd.body.code, 'invalid_parameter');
      assert.match(crowd.body.detail, /10001 entries|10,001 entries|entries/);
      await assertNothingLeft(before, 'many entries');
    });

    it('answers 413 body_too_large past the upload limit, leaving tmp/ empty', async () => {
      const small = await startTestServer({ uploadLimit: '64kb' });
      try {
        const data = readFileSync(fx.countriesGeojson.path).subarray(0, 200 * 1024);
        const res = await uploadSource(small, 'Too big', [{ name: 'big.geojson', data }]);
        assert.equal(res.status, 413, res.text);
        assert.equal(res.body.code, 'body_too_large');
        const tmp = join(small.dataDir, 'tmp');
        assert.deepEqual(existsSync(tmp) ? readdirSync(tmp) : [], []);
        assert.deepEqual(existsSync(join(small.dataDir, 'sources')) ? readdirSync(join(small.dataDir, 'sources')) : [], []);
        // Under the limit is fine.
        const point = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'Null Island' }, geometry: { type: 'Point', coordinates: [0, 0] } }] };
        const ok = await uploadSource(small, 'Small', [{ name: 'small.geojson', data: Buffer.from(JSON.stringify(point)) }]);
        assert.equal(ok.status, 201, ok.text);
      } finally {
        await small.close();
      }
    });
  });

  describe('bad requests', () => {
    const geojson = () => part(fx.countriesGeojson.path);

    /** Runs `fn` against a server of its own, for requests that may leave a connection unusable. */
    const onFreshServer = async (fn: (s: TestServer) => Promise<void>) => {
      const fresh = await startTestServer();
      try {
        await fn(fresh);
      } finally {
        // A wedged connection would hold up the graceful close for a minute or more.
        fresh.running.app.server.closeAllConnections();
        await fresh.close();
      }
    };
    const freshLeftovers = (s: TestServer) =>
      ['tmp', 'sources'].flatMap((sub) => (existsSync(join(s.dataDir, sub)) ? readdirSync(join(s.dataDir, sub)).map((f) => `${sub}/${f}`) : []));

    it('refuses malformed multipart uploads with 400, naming the problem', async () => {
      const before = await snapshot();

      const noSource = await uploadSource(server, 'x', [geojson()], { rawSource: null });
      assert.equal(noSource.status, 400, noSource.text);
      assert.ok(noSource.body.errors.some((e: { location: string }) => e.location === 'multipart.source'), noSource.text);

      const unknown = await uploadSource(server, 'x', [geojson()], { extra: { bogus: 1 } });
      assert.equal(unknown.status, 400, unknown.text);
      assert.ok(unknown.body.errors.some((e: { location: string }) => e.location === 'source.bogus'), unknown.text);

      const noTitle = await uploadSource(server, 'x', [geojson()], { rawSource: '{}' });
      assert.equal(noTitle.status, 400, noTitle.text);
      assert.ok(noTitle.body.errors.some((e: { location: string }) => e.location === 'source.title'), noTitle.text);

      const noFiles = await uploadSource(server, 'x', []);
      assert.equal(noFiles.status, 400, noFiles.text);

      const foo = await uploadSource(server, 'x', [geojson()], { fieldNames: ['foo'] });
      assert.equal(foo.status, 400, foo.text);
      assert.ok(foo.body.errors.some((e: { location: string }) => e.location === 'multipart.foo'), foo.text);

      await assertNothingLeft(before, 'malformed multipart');
    });

    // Each of these is refused before its files are read; each runs on a server of its own (see below).
    const refusedEarly: Array<[string, (s: TestServer) => ReturnType<typeof uploadSource>, number, string]> = [
      ['invalid JSON in source', (s) => uploadSource(s, 'x', [geojson()], { rawSource: '{"title": ' }), 400, 'invalid_json'],
      ['a text part named foo', (s) => uploadSource(s, 'x', [geojson()], { fields: [['foo', 'bar']] }), 400, 'invalid_parameter'],
      ['two files of one name', (s) => uploadSource(s, 'x', [geojson(), geojson(), part(fx.statesFgb.path)]), 400, 'invalid_parameter'],
    ];

    it('refuses invalid JSON, unknown text parts and duplicate file names with 400, leaving nothing behind', async () => {
      await Promise.all(
        refusedEarly.map(([what, send, status, code]) =>
          onFreshServer(async (s) => {
            const res = await send(s);
            assert.equal(res.status, status, `${what}: ${res.text}`);
            assert.equal(res.body.code, code, `${what}: ${res.text}`);
            assert.deepEqual(freshLeftovers(s), [], what);
          }),
        ),
      );
    });

    it('keeps answering on the same connection after refusing an upload before reading its files', async () => {
      const failures: string[] = [];
      await Promise.all(
        refusedEarly.map(([what, send]) =>
          onFreshServer(async (s) => {
            assert.equal((await send(s)).status, 400);
            for (let i = 0; i < 3; i++) {
              try {
                const res = await fetch(`${s.api}sources/`, { headers: { authorization: `key ${adminToken}` }, signal: AbortSignal.timeout(3000) });
                assert.equal(res.status, 200);
                await res.text();
              } catch (error) {
                failures.push(`after ${what}, request ${i + 1} got no answer (${(error as Error).message})`);
                break;
              }
            }
          }),
        ),
      );
      assert.deepEqual(failures, []);
    });

    it("refuses a file name with '../' with 400", async () => {
      await onFreshServer(async (s) => {
        const res = await uploadSource(s, 'x', [part(fx.countriesGeojson.path, '../../x.geojson')]);
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.code, 'invalid_parameter');
        assert.deepEqual(freshLeftovers(s), []);
      });
    });

    it('answers 415 to a JSON body', async () => {
      const res = await server.request('POST', 'sources/', { body: { title: 'JSON only' } });
      assert.equal(res.status, 415, res.text);
      assert.equal(res.body.code, 'unsupported_media_type');
    });
  });

  describe('sources and scans', () => {
    let source: { id: number; url: string };

    before(async () => {
      const res = await uploadSource(server, 'Rescan me', [
        part(fx.countriesGeojson.path),
        part(fx.countriesKml.path),
        part(fx.statesGml.path),
        part(fx.statesGmlXsd),
        part(fx.gpkg.path),
      ]);
      assert.equal(res.status, 201, res.text);
      source = res.body;
      assert.equal((await waitForScan(server, source.url)).status, 'completed');
    });

    it('lists sources with paging headers, and shows one with its scans', async () => {
      const list = await server.request('GET', 'sources/?page_size=2');
      assert.equal(list.status, 200, list.text);
      assert.ok(Array.isArray(list.body));
      assert.equal(list.body.length, 2);
      assert.match(list.headers.get('x-resource-range') ?? '', /^0-2\/\d+$/);
      assert.equal(list.headers.get('x-paginate-by'), '2');
      assert.ok(parseLinks(list.headers.get('link'))['page-next'], list.headers.get('link') ?? '');
      const all = await server.request('GET', 'sources/?page_size=100');
      assert.ok(all.body.some((s: { id: number }) => s.id === source.id));

      const got = await server.request('GET', `sources/${source.id}/`);
      assert.equal(got.status, 200, got.text);
      assert.equal(got.body.url, source.url);
      assert.equal(got.body.scans, `${source.url}scans/`);
      assert.equal(got.body.latest_scan.status, 'completed');
      assert.ok(got.body.last_scanned_at);
      assert.equal(got.body.latest_scan.url, `${source.url}scans/${got.body.latest_scan.id}/`);

      const scans = await server.request('GET', got.body.scans);
      assert.equal(scans.status, 200);
      assert.equal(scans.body.length, 1);
      assert.equal(scans.body[0].id, got.body.latest_scan.id);
    });

    it('rescans on POST scans/ (202 + Location), finding nothing changed; a second POST meanwhile is 409', async () => {
      const res = await server.request('POST', `sources/${source.id}/scans/`, { body: {} });
      const second = await server.request('POST', `sources/${source.id}/scans/`, { body: {} });
      assert.equal(res.status, 202, res.text);
      assert.equal(res.headers.get('location'), res.body.url);
      assert.match(res.body.url, new RegExp(`^${source.url}scans/\\d+/$`));
      if (second.status !== 409) {
        const first = await server.request('GET', res.body.url);
        assert.ok(finishedScanStates.includes(first.body.status), `a second scan was started while the first was ${first.body.status}`);
        assert.equal(second.status, 202, second.text);
        await waitForScan(server, second.body.url);
      } else {
        assert.equal(second.body.code, 'conflict');
      }

      const scan = await waitForScan(server, res.body.url);
      assert.equal(scan.status, 'completed', await logOf(scan));
      assert.deepEqual(scan.change_counts, { added: 0, updated: 0, deleted: 0 });
      assert.equal((await datasources(source.id)).length, 5);

      const cancelDone = await server.request('DELETE', res.body.url);
      assert.equal(cancelDone.status, 409, cancelDone.text);
      assert.equal(cancelDone.body.code, 'conflict');

      const missing = await server.request('GET', `sources/${source.id}/scans/999999/`);
      assert.equal(missing.status, 404);
    });

    it('cancels a scan still under way with DELETE', async () => {
      const res = await server.request('POST', `sources/${source.id}/scans/`, { body: {} });
      assert.equal(res.status, 202, res.text);
      const cancel = await server.request('DELETE', res.body.url);
      if (cancel.status === 202) {
        assert.equal(cancel.body.status, 'cancelled', cancel.text);
        const scan = await waitForScan(server, res.body.url);
        assert.equal(scan.status, 'cancelled');
      } else {
        assert.equal(cancel.status, 409, cancel.text);
        const scan = await server.request('GET', res.body.url);
        assert.ok(finishedScanStates.includes(scan.body.status), scan.text);
      }
      // Nothing is left running: a new scan may start, and the datasources are intact.
      const again = await server.request('POST', `sources/${source.id}/scans/`, { body: {} });
      assert.equal(again.status, 202, again.text);
      assert.equal((await waitForScan(server, again.body.url)).status, 'completed');
      assert.equal((await datasources(source.id)).length, 5);
    });

    it('deletes a source: 204, then 404, and its folder is gone', async () => {
      const folder = join(server.dataDir, 'sources', String(source.id));
      assert.ok(existsSync(folder), folder);
      const res = await server.request('DELETE', `sources/${source.id}/`);
      assert.equal(res.status, 204, res.text);
      assert.equal((await server.request('GET', `sources/${source.id}/`)).status, 404);
      assert.equal((await server.request('GET', `sources/${source.id}/datasources/`)).status, 404);
      assert.equal((await server.request('DELETE', `sources/${source.id}/`)).status, 404);
      assert.ok(!existsSync(folder), `${folder} is still there`);
      const all = await server.request('GET', 'sources/?page_size=100');
      assert.ok(!all.body.some((s: { id: number }) => s.id === source.id));
    });
  });

  describe('group ownership and scopes', () => {
    let mappers: number;
    let viewer: { id: number; token: string };
    let outsider: { id: number; token: string };
    let owned: { id: number; url: string };

    before(async () => {
      const group = await server.request('POST', 'groups/', { body: { name: 'Mappers' } });
      assert.equal(group.status, 201, group.text);
      mappers = group.body.id;
      viewer = await createUserWithToken(server, 'src-viewer', rw);
      outsider = await createUserWithToken(server, 'src-outsider', rw);
      const member = await server.request('POST', `groups/${mappers}/members/`, { body: { user: viewer.id, role: 'viewer' } });
      assert.equal(member.status, 201, member.text);
      const res = await uploadSource(server, 'Mappers data', [part(fx.statesFgb.path)], { group: mappers });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.group.id, mappers);
      owned = res.body;
      await waitForScan(server, owned.url);
    });

    it('hides a source from users outside its group (404, not listed)', async () => {
      const got = await server.request('GET', `sources/${owned.id}/`, { token: outsider.token });
      assert.equal(got.status, 404, got.text);
      const ds = await server.request('GET', `sources/${owned.id}/datasources/`, { token: outsider.token });
      assert.equal(ds.status, 404);
      const scan = await server.request('POST', `sources/${owned.id}/scans/`, { token: outsider.token, body: {} });
      assert.equal(scan.status, 404);
      const list = await server.request('GET', 'sources/', { token: outsider.token });
      assert.equal(list.status, 200);
      assert.deepEqual(list.body, []);
      assert.equal(list.headers.get('x-resource-range'), '0-0/0');
    });

    it("shows it to a viewer of the group, who may not delete or rescan it (403)", async () => {
      const got = await server.request('GET', `sources/${owned.id}/`, { token: viewer.token });
      assert.equal(got.status, 200, got.text);
      const list = await server.request('GET', 'sources/', { token: viewer.token });
      assert.deepEqual(
        list.body.map((s: { id: number }) => s.id),
        [owned.id],
      );
      const ds = await datasources(owned.id, viewer.token);
      assert.equal(ds.length, 1);
      const del = await server.request('DELETE', `sources/${owned.id}/`, { token: viewer.token });
      assert.equal(del.status, 403, del.text);
      assert.equal(del.body.code, 'forbidden');
      const scan = await server.request('POST', `sources/${owned.id}/scans/`, { token: viewer.token, body: {} });
      assert.equal(scan.status, 403, scan.text);
      assert.equal((await server.request('GET', `sources/${owned.id}/`)).status, 200);
    });

    it('needs a group to upload into: 400 naming source.group for a user in none, 403 for a viewer', async () => {
      const before = await snapshot();
      const none = await uploadSource(server, 'Mine', [part(fx.statesFgb.path)], { token: outsider.token });
      assert.equal(none.status, 400, none.text);
      assert.ok(none.body.errors.some((e: { location: string }) => e.location === 'source.group'), none.text);

      const asViewer = await uploadSource(server, 'Mine', [part(fx.statesFgb.path)], { token: viewer.token, group: mappers });
      assert.equal(asViewer.status, 403, asViewer.text);
      assert.equal(asViewer.body.code, 'forbidden');

      const noSuchGroup = await uploadSource(server, 'Mine', [part(fx.statesFgb.path)], { group: 999999 });
      assert.equal(noSuchGroup.status, 400, noSuchGroup.text);
      assert.ok(noSuchGroup.body.errors.some((e: { location: string }) => e.location === 'source.group'), noSuchGroup.text);
      await assertNothingLeft(before, 'refused uploads');
    });

    it('needs the sources:read scope (403) and a token (401)', async () => {
      const narrow = await createUserWithToken(server, 'src-narrow', 'users:read');
      const res = await server.request('GET', 'sources/', { token: narrow.token });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.body.code, 'invalid_token_scope');
      assert.equal(res.headers.get('accepted-oauth-scopes'), 'sources:read');
      const one = await server.request('GET', `sources/${owned.id}/`, { token: narrow.token });
      assert.equal(one.status, 403);
      const upload = await uploadSource(server, 'x', [part(fx.statesFgb.path)], { token: narrow.token });
      assert.equal(upload.status, 403, upload.text);

      const anonymous = await server.request('GET', 'sources/', { token: null });
      assert.equal(anonymous.status, 401, anonymous.text);
      const anonymousUpload = await uploadSource(server, 'x', [part(fx.statesFgb.path)], { token: null });
      assert.equal(anonymousUpload.status, 401, anonymousUpload.text);
    });
  });
});
