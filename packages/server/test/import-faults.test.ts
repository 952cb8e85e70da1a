import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers/server.js';
import { packagedData, uploadSource, waitForScan } from './helpers/uploads.js';

// Awkward real data: invalid geometries, mixed geometry types, text that is not UTF-8.
describe('imports of awkward data', () => {
  let server: TestServer;
  let dir: string;

  before(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'mapshelf-faults-'));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function datasourcesOf(files: Array<{ name: string; path: string }>) {
    const upload = await uploadSource(server, 'awkward', files.map((f) => ({ name: f.name, data: readFileSync(f.path) })));
    assert.equal(upload.status, 201, upload.text);
    const scan = await waitForScan(server, upload.body.id);
    const datasources = (await server.request('GET', `sources/${upload.body.id}/datasources/`)).body as Array<{ id: number; upload_path: string }>;
    return { scan, datasources, log: (await server.request('GET', scan.log_url)).text };
  }

  async function importLayer(datasource: number, crs?: string) {
    const created = await server.request('POST', 'layers/', { body: { title: 'awkward', data: { datasources: [datasource], ...(crs && { crs }) } } });
    assert.equal(created.status, 201, created.text);
    for (let i = 0; i < 300; i++) {
      const version = await server.request('GET', created.body.version.url);
      if (version.body.version.status === 'ok' || version.body.version.status === 'error') return version.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('import did not finish');
  }

  it('keeps invalid geometries and flags them in the import log', async () => {
    // world-atlas's 110m countries include self-intersecting rings.
    const countries = join(dir, 'countries.gpkg');
    execFileSync('ogr2ogr', ['-f', 'GPKG', countries, packagedData('world-atlas/countries-110m.json'), 'countries', '-nln', 'countries']);
    const invalid = execFileSync('ogrinfo', ['-q', countries, '-sql', 'SELECT count(*) AS n FROM countries WHERE ST_IsValid(geom) = 0'], { encoding: 'utf8' });
    const expectedInvalid = Number(/n \(Integer\) = (\d+)/.exec(invalid)![1]);
    assert.ok(expectedInvalid > 0, 'the fixture should hold invalid geometries');
    const { datasources } = await datasourcesOf([{ name: 'countries.gpkg', path: countries }]);
    const layer = await importLayer(datasources[0]!.id);
    assert.equal(layer.version.status, 'ok');
    const total = execFileSync('ogrinfo', ['-so', '-al', countries], { encoding: 'utf8' });
    assert.equal(layer.data.feature_count, Number(/Feature Count: (\d+)/.exec(total)![1]), 'invalid features are kept');
    const log = (await server.request('GET', layer.version.import_log)).text;
    assert.match(log, new RegExp(`WARNING ${expectedInvalid} feature\\(s\\) have invalid geometries`));
  });

  it('imports mixed geometry types into one layer', async () => {
    const mixed = join(dir, 'mixed.geojson');
    writeFileSync(
      mixed,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { kind: 'point' }, geometry: { type: 'Point', coordinates: [174.7, -41.2] } },
          { type: 'Feature', properties: { kind: 'line' }, geometry: { type: 'LineString', coordinates: [[174.7, -41.2], [174.8, -41.3]] } },
          { type: 'Feature', properties: { kind: 'polygon' }, geometry: { type: 'Polygon', coordinates: [[[174, -41], [175, -41], [175, -42], [174, -41]]] } },
        ],
      }),
    );
    const { datasources } = await datasourcesOf([{ name: 'mixed.geojson', path: mixed }]);
    const layer = await importLayer(datasources[0]!.id);
    assert.equal(layer.version.status, 'ok', JSON.stringify(layer.version));
    assert.equal(layer.data.feature_count, 3);
    assert.match(layer.data.geometry_type, /Unknown|Geometry/i);
  });

  it('reports text attributes that are not UTF-8, and honours a .cpg', async () => {
    const csv = join(dir, 'places.csv');
    writeFileSync(csv, 'name,lon,lat\nCafé Zoë,174.7,-41.2\nŌtaki,175.1,-40.7\n');
    const shp = join(dir, 'places.shp');
    execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', 'ENCODING=ISO-8859-1', '-oo', 'X_POSSIBLE_NAMES=lon', '-oo', 'Y_POSSIBLE_NAMES=lat', '-a_srs', 'EPSG:4326', shp, csv]);
    const parts = (withCpg: boolean) =>
      ['shp', 'shx', 'dbf', 'prj', ...(withCpg ? ['cpg'] : [])].map((ext) => ({ name: `places.${ext}`, path: join(dir, `places.${ext}`) }));

    const without = await datasourcesOf(parts(false));
    assert.equal(without.scan.status, 'completed');
    assert.match(without.log, /not UTF-8; add a \.cpg file/);

    const withCpg = await datasourcesOf(parts(true));
    assert.doesNotMatch(withCpg.log, /not UTF-8/);
    const layer = await importLayer(withCpg.datasources[0]!.id);
    assert.equal(layer.version.status, 'ok');
    const file = join(server.dataDir, 'layers', String(layer.id), 'v1.gpkg');
    const names = execFileSync('ogrinfo', ['-q', file, '-sql', 'SELECT name FROM data ORDER BY fid'], { encoding: 'utf8' });
    assert.match(names, /Café Zoë/, 'the .cpg encoding was honoured');
  });
});
