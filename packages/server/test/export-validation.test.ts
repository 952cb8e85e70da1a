/**
 * Exports that validation must not wave through (issue 15): data outside the target CRS's area of
 * use (the world's land to EPSG:2193 failed with "Point outside of projection domain"), and crops
 * that hold no features (a "complete" export with no data). Over HTTP against a real server; every
 * export is read back with GDAL through /vsizip/ and compared with what ogr2ogr makes of the same
 * uploaded file. Also GDAL's error output as exports report it (`GdalErrorLog`).
 *
 * Data: the packaged world-atlas land-50m (one invalid MultiPolygon over the whole world, as the
 * README's CLI section makes it), a 500-point grid over New Zealand, and New Zealand and
 * Australia from countries-110m.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GdalErrorLog } from '../src/geo/ogr2ogr.js';
import { adminToken, startTestServer, type ApiResponse, type TestServer } from './helpers/server.js';
import { packagedData } from './helpers/uploads.js';
import { datasourceFor, ogr2ogr, publishedLayer, uploadDatasources, writePointGrid, type PublishedLayer } from './helpers/published-layers.js';
import { areaOf, assertBboxClose, assertClose, epsgOf, readLayer, zipEntries, type Bbox } from './helpers/read-back.js';


const shp = 'application/x-zipped-shp';
const gpkg = 'application/x-ogc-gpkg';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** EPSG:2193's area of use in PROJ's database: New Zealand - onshore. */
const nzOnshore: Bbox = [166.37, -47.33, 178.63, -34.1];

const box = ([minx, miny, maxx, maxy]: Bbox) => ({
  type: 'Polygon',
  coordinates: [[[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]],
});

const errorsAt = (res: ApiResponse, location: string): string[] =>
  ((res.body?.errors ?? []) as Array<{ location: string; message: string }>).filter((e) => e.location === location).map((e) => e.message);

describe('export validation: areas of use and empty crops', () => {
  let server: TestServer;
  let work: string;
  let landGpkg: string;
  let land: PublishedLayer; // "World Land": land-50m, one MultiPolygon
  let points: PublishedLayer; // "NZ Grid": 500 points over New Zealand
  let countries: PublishedLayer; // "Tasman Countries": New Zealand and Australia
  let zips = 0;

  const validate = async (body: Record<string, unknown>) => {
    const res = await server.request('POST', 'exports/validate/', { body });
    assert.equal(res.status, 200, `validate ${JSON.stringify(body)}: ${res.status} ${res.text}`);
    return res.body as {
      is_valid: boolean;
      invalid_reasons: string[];
      warnings?: string[];
      size_estimate_zipped: number | null;
      items: Array<{ item: string; is_valid: boolean; invalid_reasons: string[]; warnings?: string[] }>;
    };
  };

  /** Creates an export (202), waits for it to end in `complete`, and downloads its zip. */
  const complete = async (body: Record<string, unknown>): Promise<{ zip: string; exp: any }> => {
    const res = await server.request('POST', 'exports/', { body });
    assert.equal(res.status, 202, `POST exports/ ${JSON.stringify(body)}: ${res.status} ${res.text}`);
    let exp = res.body;
    const deadline = Date.now() + 60_000;
    while (exp.state === 'processing') {
      assert.ok(Date.now() < deadline, `export ${exp.id} still processing`);
      await sleep(100);
      exp = (await server.request('GET', exp.url)).body;
    }
    assert.equal(exp.state, 'complete', `export ${exp.id} ended ${exp.state}: ${exp.error}`);
    const response = await fetch(exp.download_url, { headers: { authorization: `key ${adminToken}` } });
    assert.equal(response.status, 200);
    const zip = join(work, `export-${exp.id}-${zips++}.zip`);
    writeFileSync(zip, Buffer.from(await response.arrayBuffer()));
    return { zip, exp };
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-export-validation-'));
    landGpkg = join(work, 'land.gpkg');
    ogr2ogr(['-f', 'GPKG', '-nlt', 'MULTIPOLYGON', '-a_srs', 'EPSG:4326', '-nln', 'land', landGpkg, packagedData('world-atlas/land-50m.json'), 'land']);
    const pointsGpkg = writePointGrid(work);
    const countriesGpkg = join(work, 'countries.gpkg');
    ogr2ogr([
      '-f', 'GPKG', '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON', '-where', "name IN ('New Zealand', 'Australia')",
      '-nln', 'countries', countriesGpkg, packagedData('world-atlas/countries-110m.json'), 'countries',
    ]);
    server = await startTestServer();
    const [landSources, pointSources, countrySources] = await Promise.all([
      uploadDatasources(server, 'Land', landGpkg),
      uploadDatasources(server, 'Grid', pointsGpkg),
      uploadDatasources(server, 'Countries', countriesGpkg),
    ]);
    [land, points, countries] = await Promise.all([
      publishedLayer(server, 'layers', { title: 'World Land', data: { datasources: [datasourceFor(landSources, 'land').id] } }),
      publishedLayer(server, 'layers', { title: 'NZ Grid', data: { datasources: [datasourceFor(pointSources, 'grid').id] } }),
      publishedLayer(server, 'layers', { title: 'Tasman Countries', data: { datasources: [datasourceFor(countrySources, 'countries').id] } }),
    ]);
    assert.equal(land.data.feature_count, 1);
    assert.equal(points.data.feature_count, 500);
    assert.equal(countries.data.feature_count, 2);
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('cuts the world land to the area of use of EPSG:2193, warns in validate, and writes the Shapefile', async () => {
    const body = { crs: 'EPSG:2193', formats: { vector: shp }, items: [{ item: land.url }] };
    const answer = await validate(body);
    assert.equal(answer.is_valid, true, JSON.stringify(answer));
    assert.equal(answer.warnings?.length, 1, JSON.stringify(answer));
    const warning = answer.warnings![0]!;
    assert.match(warning, /^body\.items\[0\]\.item: /);
    assert.match(warning, /layer \d+ \("World Land"\)/);
    assert.match(warning, /(9\d%|over 99\.5%) of the extent/);
    assert.match(warning, /outside the area of use of EPSG:2193 \(New Zealand - onshore: longitude 166\.37 to 178\.63, latitude -47\.33 to -34\.1\)/);
    assert.deepEqual(answer.items[0]!.warnings, [warning.replace(/^body\.items\[0\]\.item: /, '')]);

    const { zip } = await complete(body);
    assert.ok(zipEntries(zip).includes('world-land/world-land.shp'), zipEntries(zip).join(' '));
    const path = `/vsizip/${zip}/world-land/world-land.shp`;
    const got = readLayer(path);
    assert.equal(epsgOf(path), 'EPSG:2193');
    assert.equal(got.count, 1);
    // What ogr2ogr makes of the uploaded file, cut at the same box (after repairing it: the land is invalid).
    const reference = join(work, 'ref-land-2193.gpkg');
    ogr2ogr(['-f', 'GPKG', '-nln', 'ref', '-makevalid', '-clipsrc', ...nzOnshore.map(String), '-t_srs', 'EPSG:2193', reference, landGpkg, 'land']);
    const want = readLayer(reference);
    assertBboxClose(got.extent, want.extent!, 100, 'land in EPSG:2193');
    assertClose(areaOf(path, got), areaOf(reference, want), 0.005, 'area of the land kept');
  });

  it('intersects a crop with the area of use, and leaves data the projection reaches as it is', async () => {
    // From Africa's east to the antimeridian: most of it is out of reach of New Zealand's grid.
    const body = { crs: 'EPSG:2193', formats: { vector: gpkg }, items: [{ item: land.url }], extent: box([40, -60, 179.9, 0]) };
    const answer = await validate(body);
    assert.equal(answer.is_valid, true, JSON.stringify(answer));
    assert.equal(answer.warnings?.length, 1, JSON.stringify(answer));
    assert.match(answer.warnings![0]!, /of the extent of layer \d+ \("World Land"\) within the export's extent lies outside the area of use of EPSG:2193/);
    const { zip } = await complete(body);
    const path = `/vsizip/${zip}/world-land/world-land.gpkg`;
    const got = readLayer(path);
    assert.equal(epsgOf(path), 'EPSG:2193');
    // The crop holds the whole area of use: the same as the land cut at the area alone.
    const reference = join(work, 'ref-land-2193-crop.gpkg');
    ogr2ogr(['-f', 'GPKG', '-nln', 'ref', '-makevalid', '-clipsrc', ...nzOnshore.map(String), '-t_srs', 'EPSG:2193', reference, landGpkg, 'land']);
    const want = readLayer(reference);
    assert.equal(got.count, 1);
    assertBboxClose(got.extent, want.extent!, 100, 'land in EPSG:2193, cropped');
    assertClose(areaOf(path, got), areaOf(reference, want), 0.005, 'area of the cropped land');

    // New Zealand and Australia: outside the area of use, but EPSG:2193 reaches them, so nothing is cut.
    const reach = { crs: 'EPSG:2193', formats: { vector: gpkg }, items: [{ item: countries.url }] };
    const reached = await validate(reach);
    assert.equal(reached.is_valid, true, JSON.stringify(reached));
    assert.deepEqual(reached.warnings, []);
    const whole = await complete(reach);
    assert.equal(readLayer(`/vsizip/${whole.zip}/tasman-countries/tasman-countries.gpkg`).count, 2);

    // KML is always EPSG:4326, whose area is the world: no warning.
    const kml = await validate({ formats: { vector: 'application/vnd.google-earth.kml+xml' }, items: [{ item: land.url }] });
    assert.equal(kml.is_valid, true, JSON.stringify(kml));
    assert.deepEqual(kml.warnings, []);
  });

  it('refuses a crop that holds no features, unless allow_empty, and then writes an empty layer', async () => {
    // Inside the grid's bbox, between its points (spaced 0.35 by 0.3 degrees from 166.0137, -46.9871):
    // a bbox guess would say it keeps some.
    const between = box([166.0137 + 0.05, -46.9871 + 0.05, 166.0137 + 0.3, -46.9871 + 0.25]);
    const body = { crs: 'EPSG:2193', formats: { vector: shp }, items: [{ item: points.url }], extent: between };
    const answer = await validate(body);
    assert.equal(answer.is_valid, false, JSON.stringify(answer));
    assert.equal(answer.invalid_reasons.length, 1, JSON.stringify(answer));
    assert.match(answer.invalid_reasons[0]!, /^body\.extent: holds no features of layer \d+ \("NZ Grid"\): nothing lies inside the export's extent; .*options\.allow_empty/);

    const refused = await server.request('POST', 'exports/', { body });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.body.code, 'invalid_export');
    assert.equal(errorsAt(refused, 'body.extent').length, 1, refused.text);

    // A crop that does hold one point (the grid's first, at 166.0137, -46.9871) is fine.
    const one = await validate({ ...body, extent: box([166, -47, 166.1, -46.9]) });
    assert.equal(one.is_valid, true, JSON.stringify(one));

    const allowed = { ...body, options: { allow_empty: true } };
    const warned = await validate(allowed);
    assert.equal(warned.is_valid, true, JSON.stringify(warned));
    assert.equal(warned.warnings?.length, 1, JSON.stringify(warned));
    assert.match(warned.warnings![0]!, /^body\.extent: holds no features .*exported empty \(allow_empty\)/);
    const { zip, exp } = await complete(allowed);
    assert.deepEqual(exp.options, { allow_empty: true });
    const path = `/vsizip/${zip}/nz-grid/nz-grid.shp`;
    assert.ok(zipEntries(zip).includes('nz-grid/nz-grid.shp'), zipEntries(zip).join(' '));
    assert.equal(readLayer(path).count, 0);
    assert.equal(epsgOf(path), 'EPSG:2193');

    const bad = await server.request('POST', 'exports/validate/', { body: { ...body, options: { allow_empty: 'yes' } } });
    assert.equal(bad.status, 200, bad.text);
    assert.ok(bad.body.invalid_reasons.includes('body.options.allow_empty: must be true or false'), bad.text);
  });

  it('names the empty items when others hold features', async () => {
    // Australia's interior: the countries layer holds Australia, the grid over New Zealand nothing.
    const body = {
      crs: 'EPSG:3577',
      formats: { vector: gpkg },
      items: [{ item: points.url }, { item: countries.url }],
      extent: box([125, -30, 140, -20]),
    };
    const answer = await validate(body);
    assert.equal(answer.is_valid, false, JSON.stringify(answer));
    assert.equal(answer.invalid_reasons.length, 1, JSON.stringify(answer));
    assert.match(answer.invalid_reasons[0]!, /^body\.items\[0\]\.item: holds no features inside the export's extent, while other items do/);
    assert.equal(answer.items[0]!.is_valid, false);
    assert.equal(answer.items[1]!.is_valid, true, JSON.stringify(answer.items[1]));
    const refused = await server.request('POST', 'exports/', { body });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(errorsAt(refused, 'body.items[0].item').length, 1, refused.text);
    assert.equal(errorsAt(refused, 'body.items[1].item').length, 0, refused.text);

    // allow_empty: both written, the grid's layer empty, Australia cut at the crop.
    const { zip } = await complete({ ...body, options: { allow_empty: true } });
    assert.equal(readLayer(`/vsizip/${zip}/nz-grid/nz-grid.gpkg`).count, 0);
    const australia = readLayer(`/vsizip/${zip}/tasman-countries/tasman-countries.gpkg`);
    assert.equal(australia.count, 1);
    assert.equal(epsgOf(`/vsizip/${zip}/tasman-countries/tasman-countries.gpkg`), 'EPSG:3577');
  });

});

describe('GDAL errors as exports report them', () => {
  it('gives each distinct error once with its count, wrapped messages joined, nothing cut mid-word', () => {
    const log = new GdalErrorLog();
    const stderr = [
      'ERROR 1: Point outside of projection domain\n'.repeat(19),
      'ERROR 1: Reprojection failed, err = 2050, further errors will be suppressed on the transform object.\n',
      'ERROR 1: Failed to reproject feature 1 (geometry probably out of source or destination SRS).\n',
      'ERROR 1: Terminating translation prematurely after failed\ntranslation of layer data (use -skipfailures to skip errors)\n',
    ].join('');
    // In odd chunks, as a pipe delivers them.
    for (let i = 0; i < stderr.length; i += 7) log.feed(stderr.slice(i, i + 7));
    assert.equal(
      log.summary(),
      [
        'ERROR 1: Point outside of projection domain (×19)',
        'ERROR 1: Reprojection failed, err = 2050, further errors will be suppressed on the transform object.',
        'ERROR 1: Failed to reproject feature 1 (geometry probably out of source or destination SRS).',
        'ERROR 1: Terminating translation prematurely after failed translation of layer data (use -skipfailures to skip errors)',
      ].join('\n'),
    );
  });

  it('keeps the summary bounded by whole messages, and falls back to the last line', () => {
    const log = new GdalErrorLog();
    for (let i = 0; i < 200; i++) log.feed(`ERROR 1: Failed to write feature ${i} because the value is far too long for its field\n`);
    const summary = log.summary();
    assert.ok(summary.length <= 2100, `${summary.length} characters`);
    for (const line of summary.split('\n').slice(0, -1)) assert.match(line, /^ERROR 1: Failed to write feature \d+ because the value is far too long for its field$/);
    assert.match(summary.split('\n').at(-1)!, /^\(and \d+ more errors\)$/);
    const quiet = new GdalErrorLog();
    quiet.feed('Warning 1: something odd\nUnable to open datasource `x.gpkg` with the following drivers.\n');
    assert.equal(quiet.summary(), 'Unable to open datasource `x.gpkg` with the following drivers.');
  });
});
