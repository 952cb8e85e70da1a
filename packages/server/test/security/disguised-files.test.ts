/**
 * Uploads that try to make GDAL read something other than themselves: OGR VRT documents under
 * every dataset extension (pointing at another layer's GeoPackage, at the catalog database, at
 * absolute paths and at URLs), a GeoPackage and a Shapefile that are VRTs, a GeoJSON whose CRS
 * is a link, `/vsicurl/` and `/vsizip/` in file names and CRS fields. Each is refused or read
 * as plain text; the private layer's marker never shows up in what the attacker can read, and
 * a local HTTP server that every URL points at is never asked anything.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ogr2ogr, importedLayer, csvPointOptions, uploadDatasources, datasourceFor } from '../helpers/published-layers.js';
import { createUserWithToken, startTestServer, type TestServer } from '../helpers/server.js';
import { buildZip, uploadSource, waitForScan, type UploadFile } from '../helpers/uploads.js';

const marker = `CANARY${randomBytes(6).toString('hex')}`;

const vrt = (source: string, layer: string, relative = false) =>
  `<OGRVRTDataSource><OGRVRTLayer name="stolen"><SrcDataSource${relative ? ' relativeToVRT="1"' : ''}>${source}</SrcDataSource>` +
  `<SrcLayer>${layer}</SrcLayer></OGRVRTLayer></OGRVRTDataSource>\n`;

describe('uploads that reference other files or URLs', () => {
  let server: TestServer;
  let work: string;
  let internal: Server;
  let internalUrl: string;
  const internalHits: string[] = [];
  let attacker: { token: string; group: number };

  before(async () => {
    server = await startTestServer();
    work = mkdtempSync(join(tmpdir(), 'mapshelf-disguise-'));
    internal = createServer((request, response) => {
      internalHits.push(request.url ?? '');
      response.end(`lon,lat,name\n1,2,${marker}\n`);
    });
    internal.listen(0, '127.0.0.1');
    await once(internal, 'listening');
    internalUrl = `http://127.0.0.1:${(internal.address() as AddressInfo).port}`;

    // The victim: a private layer of the admin's whose only text is the marker.
    const csv = join(work, 'victim.csv');
    writeFileSync(csv, `lon,lat,name\n172.5,-43.5,${marker}\n172.6,-43.6,${marker}\n`);
    const gpkg = join(work, 'victim.gpkg');
    ogr2ogr(['-f', 'GPKG', gpkg, csv, ...csvPointOptions, '-nln', 'victim']);
    const [datasource] = await uploadDatasources(server, 'victim', gpkg);
    await importedLayer(server, 'layers', { title: 'Victim', data: { datasources: [datasource!.id] } });

    // The attacker: an editor of a group of their own.
    const group = await server.request('POST', 'groups/', { body: { name: 'attackers' } });
    assert.equal(group.status, 201, group.text);
    const user = await createUserWithToken(server, 'mallory', 'sources:read sources:write layers:write layers:read exports:write exports:read');
    const member = await server.request('POST', `groups/${group.body.id}/members/`, { body: { user: user.id, role: 'editor' } });
    assert.ok([200, 201].includes(member.status), member.text);
    attacker = { token: user.token, group: group.body.id };
  });

  after(async () => {
    internal.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Uploads files as the attacker; returns the scan and what it found. */
  async function scanAsAttacker(title: string, files: UploadFile[]) {
    const res = await uploadSource(server, title, files, { token: attacker.token, group: attacker.group });
    if (res.status !== 201) return { status: res.status, body: res.body, scan: null, datasources: [] as any[], log: '' };
    const scan = await waitForScan(server, res.body.id, attacker.token);
    const log = (await server.request('GET', scan.log_url, { token: attacker.token })).text;
    const datasources = (await server.request('GET', `sources/${res.body.id}/datasources/`, { token: attacker.token })).body as any[];
    return { status: res.status, body: res.body, scan, datasources, log };
  }

  /** Nothing the attacker can read names the victim's data, and no URL was fetched. */
  function assertNothingLeaked(result: { datasources: any[]; log: string; body: unknown }, what: string) {
    const seen = JSON.stringify(result);
    assert.ok(!seen.includes(marker), `${what}: the private layer's marker leaked: ${seen.slice(0, 800)}`);
    assert.ok(!result.datasources.some((d) => d.layer === 'stolen'), `${what}: the VRT's layer was opened: ${JSON.stringify(result.datasources)}`);
    assert.ok(!/mallory|token_hash|key_hash/.test(JSON.stringify(result.datasources)), `${what}: the catalog was read`);
    // Field names echo the file's own text (which may hold a path the attacker wrote); the log and the answer must not add any.
    const told = JSON.stringify([result.log, result.body]);
    assert.ok(!told.includes(server.dataDir), `${what}: a server path is shown: ${told.slice(0, 800)}`);
    assert.deepEqual(internalHits, [], `${what}: GDAL fetched a URL`);
  }

  const targets = () => [
    { name: 'another layer (relative)', source: '../../layers/1/v1.gpkg', layer: 'data', relative: true },
    { name: 'the catalog database', source: '../../catalog.sqlite', layer: 'tokens', relative: true },
    { name: 'the users table (absolute)', source: join(server.dataDir, 'catalog.sqlite'), layer: 'users', relative: false },
    { name: 'an internal URL', source: `/vsicurl/${internalUrl}/internal.csv`, layer: 'internal', relative: false },
    { name: 'a zip on disk', source: `/vsizip/${join(server.dataDir, 'layers/1/v1.gpkg')}.zip/v1.gpkg`, layer: 'data', relative: false },
  ];

  for (const extension of ['.geojson', '.json', '.gml', '.kml', '.gpkg', '.fgb', '.geojsonl']) {
    it(`refuses a VRT named ${extension}, whatever it points at`, async () => {
      for (const target of targets()) {
        const result = await scanAsAttacker(`vrt ${extension}`, [{ name: `innocent${extension}`, data: Buffer.from(vrt(target.source, target.layer, target.relative)) }]);
        assert.equal(result.status, 201, JSON.stringify(result.body));
        assert.equal(result.scan.status, 'error', `${extension} → ${target.name}: ${result.log}`);
        assert.match(result.log, new RegExp(`innocent\\${extension}: .*not a readable`), result.log);
        assertNothingLeaked(result, `${extension} → ${target.name}`);
      }
    });
  }

  it('reads a VRT named .csv as the plain text it is', async () => {
    for (const target of targets()) {
      const result = await scanAsAttacker('vrt csv', [{ name: 'innocent.csv', data: Buffer.from(vrt(target.source, target.layer, target.relative)) }]);
      assert.equal(result.scan.status, 'completed', result.log);
      assert.equal(result.datasources.length, 1);
      assert.equal(result.datasources[0].layer, 'innocent');
      assert.equal(result.datasources[0].data_type, 'table');
      assert.equal(result.datasources[0].num_features, 0, 'the XML is one header line');
      assertNothingLeaked(result, `csv → ${target.name}`);
    }
  });

  it('reads a CSV that is also a VRT with lon,lat columns as CSV, even through its geometry wrapper', async () => {
    // The first line parses as a CSV header with lon and lat columns, so Mapshelf wraps the file in
    // a VRT of its own to read points; the file must still be opened only as CSV.
    const tricky = `<OGRVRTDataSource>,lon,lat\n<OGRVRTLayer name="stolen"><SrcDataSource relativeToVRT="1">../../layers/1/v1.gpkg</SrcDataSource><SrcLayer>data</SrcLayer></OGRVRTLayer></OGRVRTDataSource>,1,2\n`;
    const result = await scanAsAttacker('tricky csv', [{ name: 'tricky.csv', data: Buffer.from(tricky) }]);
    assert.equal(result.scan.status, 'completed', result.log);
    assert.deepEqual(result.datasources.map((d) => d.layer), ['tricky']);
    assert.equal(result.datasources[0].num_features, 1);
    assertNothingLeaked(result, 'tricky csv');

    const layer = await server.request('POST', 'layers/', {
      token: attacker.token,
      body: { title: 'tricky', group: attacker.group, data: { datasources: [result.datasources[0].id], crs: 'EPSG:4326' } },
    });
    assert.equal(layer.status, 201, layer.text);
    const deadline = Date.now() + 30_000;
    let version = layer.body.version;
    while (['queued', 'importing'].includes(version.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      version = (await server.request('GET', layer.body.version.url, { token: attacker.token })).body.version;
    }
    assert.equal(version.status, 'ok', JSON.stringify(version));
    const imported = (await server.request('GET', layer.body.version.url, { token: attacker.token })).body;
    assert.equal(imported.data.feature_count, 1);
    assert.ok(!JSON.stringify(imported).includes(marker));
  });

  it('refuses a GeoPackage inside a zip that is a VRT, and a Shapefile whose .shp is one', async () => {
    const zip = await buildZip([{ name: 'data.gpkg', data: Buffer.from(vrt('../../../layers/1/v1.gpkg', 'data', true)) }]);
    const zipped = await scanAsAttacker('zipped gpkg', [{ name: 'bundle.zip', data: zip }]);
    assert.equal(zipped.scan.status, 'error', zipped.log);
    assert.match(zipped.log, /bundle\/data\.gpkg: .*not a readable GeoPackage/);
    assertNothingLeaked(zipped, 'zipped gpkg');

    const shp = await scanAsAttacker('shp', [
      { name: 'roads.shp', data: Buffer.from(vrt('../../layers/1/v1.gpkg', 'data', true)) },
      { name: 'roads.shx', data: Buffer.alloc(100) },
      { name: 'roads.dbf', data: Buffer.alloc(33) },
    ]);
    assert.equal(shp.scan.status, 'error', shp.log);
    assert.match(shp.log, /roads\.shp: .*not a readable ESRI Shapefile/);
    assertNothingLeaked(shp, 'shapefile');
  });

  it('does not fetch the URL of a GeoJSON CRS link, nor of a VRT inside a .csv', async () => {
    const geojson = JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'link', properties: { href: `${internalUrl}/secret.prj`, type: 'esriwkt' } },
      features: [{ type: 'Feature', properties: { name: 'a' }, geometry: { type: 'Point', coordinates: [172, -43] } }],
    });
    const result = await scanAsAttacker('crs link', [{ name: 'linked.geojson', data: Buffer.from(geojson) }]);
    assert.equal(result.scan.status, 'completed', result.log);
    assertNothingLeaked(result, 'crs link');
  });

  it('keeps /vsicurl/ and /vsizip/ file names inside the upload folder', async () => {
    for (const name of [`/vsicurl/${internalUrl}/x.csv`, '/vsizip//etc/passwd.zip/a.csv', 'CSV:/etc/passwd.csv', '/vsimem/a.csv']) {
      const result = await scanAsAttacker('vsi name', [{ name, data: Buffer.from('lon,lat\n1,2\n') }]);
      if (result.status === 201) {
        // Stored as a plain relative path under the source's folder, and read from there.
        assert.equal(result.scan.status, 'completed', `${name}: ${result.log}`);
        assert.ok(!result.datasources.some((d) => String(d.upload_path ?? '').startsWith('/')), JSON.stringify(result.datasources));
      } else {
        assert.ok(result.status >= 400 && result.status < 500, `${name}: ${result.status}`);
      }
      assertNothingLeaked(result, name);
    }
  });

  it('takes a CRS only as an authority code, never as a path or URL', async () => {
    const result = await scanAsAttacker('points', [{ name: 'points.csv', data: Buffer.from('lon,lat\n172,-43\n') }]);
    const datasource = datasourceFor(result.datasources, 'points');
    const crsValues = ['/etc/passwd', join(server.dataDir, 'catalog.sqlite'), `${internalUrl}/x.prj`, `/vsicurl/${internalUrl}/x.prj`, '+init=/etc/passwd:x', 'CSV:/etc/passwd'];
    for (const crs of crsValues) {
      const layer = await server.request('POST', 'layers/', {
        token: attacker.token,
        body: { title: 'crs', group: attacker.group, data: { datasources: [datasource.id], crs } },
      });
      assert.equal(layer.status, 400, `${crs}: ${layer.text}`);
      assert.ok(layer.body.errors.some((e: any) => e.location === 'body.data.crs'), layer.text);
      assert.ok(!layer.text.includes('root:'), layer.text);
    }
    for (const crs of crsValues) {
      const check = await server.request('POST', 'exports/validate/', {
        token: attacker.token,
        body: { crs, formats: { vector: 'application/x-ogc-gpkg' }, items: [] },
      });
      assert.ok(check.status < 500, check.text);
      assert.ok(JSON.stringify(check.body).includes('body.crs'), `${crs}: ${check.text}`);
    }
    assert.deepEqual(internalHits, []);
  });
});
