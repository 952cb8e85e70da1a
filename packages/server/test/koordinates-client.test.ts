/**
 * Koordinates client compatibility (issue 15): a Python script drives the server over HTTPS
 * with `requests`, building every request as the `koordinates` 0.7.1 client does (see
 * koordinates-client/client.py and shared/spec/data-api.md), and prints what it saw; this test
 * asserts on that, and reads every downloaded export back with GDAL (`ogrinfo` via /vsizip/).
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { writePointGrid } from './helpers/published-layers.js';
import { selfSignedCertificate } from './helpers/tls.js';
import { adminToken, startTestServer, type TestServer } from './helpers/server.js';
import { ogrInfo } from './helpers/uploads.js';

const run = promisify(execFile);
const script = new URL('./koordinates-client/client.py', import.meta.url).pathname;
const gridSize = 500; // writePointGrid's default 25 × 20
const tableRows = 40;

/** `ogrinfo -so -al` with its SRS line too (`ogrInfo` gives counts, geometry and extents). */
function ogrSrs(path: string): string[] {
  const out = execFileSync('ogrinfo', ['-so', '-al', path], { encoding: 'utf8' });
  return [...out.matchAll(/ID\["EPSG",(\d+)\]\]\s*$/gm)].map((m) => `EPSG:${m[1]}`);
}

/** The layers of every data file in an export zip, read through /vsizip/. */
function zipEntries(zip: string): string[] {
  return execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('the koordinates Python client (0.7.1 request shapes), over HTTPS', () => {
  let work: string;
  let server: TestServer;
  let result: any;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-koordinates-'));
    const { cert, key } = selfSignedCertificate(work);
    const vector = writePointGrid(work);
    const table = join(work, 'names.csv');
    const rows = ['code,label,population'];
    for (let i = 1; i <= tableRows; i++) rows.push(`${i},place ${i},${i * 1000}`);
    writeFileSync(table, `${rows.join('\n')}\n`);

    server = await startTestServer({ tlsCert: cert, tlsKey: key });
    assert.match(server.url, /^https:\/\//, 'the server listens with TLS');
    const host = new URL(server.url).host;
    const { stdout } = await run('python3', [script, host, adminToken, cert, work, vector, table], { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 });
    result = JSON.parse(stdout);
    // KOORDINATES_DUMP=file keeps what the client saw (every request with its status), for debugging.
    if (process.env.KOORDINATES_DUMP) writeFileSync(process.env.KOORDINATES_DUMP, JSON.stringify(result, null, 2));
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const ok = () => assert.equal(result.ok, true, `the client stopped at "${result.step}": ${result.error}\n${JSON.stringify(result.requests.slice(-5))}`);

  it('authenticates with `Authorization: key …` and refuses a bad token with a 401', () => {
    ok();
    assert.equal(result.bad_token_status, 401);
  });

  it('uploads with the multipart shape (a JSON-typed `source` part, file0..N) and scans it', () => {
    ok();
    assert.equal(result.source.created_status, 201);
    assert.equal(result.source.type, 'upload');
    assert.equal(result.scan_status, 'completed');
    assert.deepEqual(result.datasources.map((d: any) => d.data_type).sort(), ['table', 'vector']);
  });

  it('creates a layer and a table through POST /layers/ (tables.create), each with its own URL', () => {
    ok();
    assert.equal(result.created.layer.type, 'layer');
    assert.equal(result.created.layer.kind, 'vector');
    assert.match(result.created.layer.url, /\/services\/api\/v1\/layers\/\d+\/$/);
    assert.equal(result.created.table.type, 'table');
    assert.equal(result.created.table.kind, 'table');
    assert.match(result.created.table.url, /\/services\/api\/v1\/tables\/\d+\/$/);
    // A vector datasource on the tables-only view is refused, naming /layers/.
    assert.equal(result.vector_on_tables.status, 400);
    assert.match(JSON.stringify(result.vector_on_tables.body), /\/layers\//);
  });

  it('imports both; a table has no CRS, geometry or extent', () => {
    ok();
    const { layer, table } = result.imported;
    assert.equal(layer.status, 'ok');
    assert.equal(layer.data.feature_count, gridSize);
    assert.equal(layer.data.crs, 'EPSG:4326');
    assert.equal(layer.data.extent?.type, 'Polygon');
    assert.equal(table.status, 'ok');
    assert.equal(table.data.feature_count, tableRows);
    for (const field of ['crs', 'geometry_field', 'geometry_type', 'extent']) assert.equal(table.data[field], null, `table data.${field}`);
    assert.deepEqual(table.data.fields.map((f: any) => f.name).filter((n: string) => ['code', 'label', 'population'].includes(n)), ['code', 'label', 'population']);
    assert.equal(result.drafts_ids.length, 2, 'both drafts on layers/drafts/');
  });

  it('publishes the table through /layers/…/publish/ and the layer through /publish/ with `strategy`', () => {
    ok();
    assert.deepEqual(result.publishes.map((p: any) => p.state), ['completed', 'completed']);
    assert.equal(result.got.table.published_version, result.got.table.this_version);
    assert.equal(result.got.table.id, result.table_on_tables);
    assert.equal(result.layer_on_tables, 404, 'tables/ stays tables-only');
    assert.equal(result.missing_layer.status, 404);
    assert.ok(result.missing_layer.body.detail, 'a 404 has a detail');
  });

  it('lists layers and tables on /layers/: counts by GET and HEAD, kind filters, Expand: list, Link paging, [:N]', () => {
    ok();
    const l = result.lists;
    const ids = [result.got.layer.id, result.got.table.id].sort((a: number, b: number) => a - b);
    assert.deepEqual(l.ids, ids);
    assert.equal(l.get_count, 2);
    assert.equal(l.head.count, 2);
    assert.equal(l.head.body, '', 'HEAD has no body');
    assert.deepEqual(l.kind_table, [[result.got.table.id, 'table', 'table']]);
    assert.deepEqual(l.kind_vector, [[result.got.layer.id, 'layer', 'vector']]);
    assert.equal(l.kind_table_head, 1);
    assert.deepEqual(l.tables_view, [[result.got.table.id, 'table']]);
    assert.deepEqual(l.summary_has_data, [false, false], 'summaries without Expand');
    assert.deepEqual(l.expanded_has_data, [true, true], 'full objects with Expand: list');
    assert.deepEqual(l.sorted_by_name, ['Client names', 'Client points']);
    assert.equal(l.created_gte, 2);
    assert.deepEqual(l.paged_ids, ids, 'page-next links walk every page');
    assert.equal(l.paged_requests, 2);
    assert.equal(l.limited, 1);
    assert.equal(l.limited_requests, 1, '[:1] stops after the first page');
  });

  it("versions a table through /layers/: start_update, the draft, a second draft's 409, list_versions", () => {
    ok();
    const v = result.versions;
    assert.equal(v.update_version, v.draft_version);
    assert.equal(v.draft_status, 'ok');
    assert.equal(v.draft_conflict, 409);
    assert.equal(v.list.length, 2);
    assert.ok(v.list.includes(v.draft_version));
    assert.equal(v.published, result.got.table.this_version.match(/versions\/(\d+)\/$/)[1] * 1);
  });

  it('answers the Expand: i,t,e,m,s of sets.get(expand="items")', () => {
    ok();
    assert.equal(result.set_expand_bug.status, 200);
    assert.equal(result.set_expand_bug.items, 2);
  });

  it('exports with the client body shape, polls, streams the download; GDAL reads them back', () => {
    ok();
    assert.ok(result.formats.vector.includes('application/x-ogc-gpkg'), JSON.stringify(result.formats));
    assert.ok(result.formats.table.includes('text/csv'), JSON.stringify(result.formats));
    assert.equal(result.validate.is_valid, true);
    const [gpkg, shp] = result.exports;
    for (const e of [gpkg, shp]) {
      assert.equal(e.state, 'complete', JSON.stringify(e));
      assert.equal(e.download_status, 200);
      assert.equal(e.bytes, e.content_length, 'Content-Length matches what was streamed');
      assert.deepEqual(e.last_progress, [e.bytes, e.content_length]);
      assert.ok(e.progress_calls >= 2);
    }

    const gpkgFiles = zipEntries(gpkg.path);
    const layerFile = gpkgFiles.find((f) => f.endsWith('.gpkg'));
    const tableFile = gpkgFiles.find((f) => f.endsWith('.csv'));
    assert.ok(layerFile && tableFile, gpkgFiles.join(', '));
    const [points] = ogrInfo(`/vsizip/${gpkg.path}/${layerFile}`);
    assert.equal(points!.featureCount, gridSize);
    assert.equal(points!.geometryType, 'Point');
    assert.deepEqual(ogrSrs(`/vsizip/${gpkg.path}/${layerFile}`), ['EPSG:4326']);
    const [minx, miny, maxx, maxy] = points!.extent!;
    assert.ok(minx > 165 && maxx < 176 && miny > -48 && maxy < -40, `extent in degrees over New Zealand: ${points!.extent}`);
    const [names] = ogrInfo(`/vsizip/${gpkg.path}/${tableFile}`);
    assert.equal(names!.featureCount, tableRows);
    assert.equal(names!.geometryType, null);

    const shpFile = zipEntries(shp.path).find((f) => f.endsWith('.shp'));
    assert.ok(shpFile);
    const [projected] = ogrInfo(`/vsizip/${shp.path}/${shpFile}`);
    assert.equal(projected!.featureCount, gridSize);
    assert.deepEqual(ogrSrs(`/vsizip/${shp.path}/${shpFile}`), ['EPSG:2193']);
    const [px0, py0, px1, py1] = projected!.extent!;
    assert.ok(px0 > 1_000_000 && px1 < 2_200_000 && py0 > 4_700_000 && py1 < 6_300_000, `extent in NZTM metres: ${projected!.extent}`);
  });

  it('cancels an export with DELETE /exports/{id}/ (202 and cancelled, or 409 once complete)', () => {
    ok();
    const { status, body } = result.cancel;
    if (status === 202) {
      assert.equal(body.state, 'cancelled');
      assert.equal(result.cancel_after, 'cancelled');
    } else {
      assert.equal(status, 409, JSON.stringify(body));
      assert.ok(Array.isArray(body.errors), JSON.stringify(body));
    }
  });
});
