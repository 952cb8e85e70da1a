/**
 * The SDK's managers beyond layers and exports, against a real Mapshelf server started in this
 * process with real GDAL: upload sources (multipart uploads with progress, scans, scan logs,
 * datasources), layer metadata and permissions, sets, publish requests, documents, users,
 * groups and tokens. A last test checks the SDK stays usable in a browser (no top-level Node
 * imports, no runtime dependencies).
 *
 * Data: a 25 x 20 grid of 500 points over New Zealand (GeoPackage), New Zealand and Australia
 * cut from the packaged world-atlas countries-110m as a zipped Shapefile, and a 12-row CSV table.
 * Expected counts come from ogrinfo run here on the uploaded files.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  AuthenticationError,
  Client,
  Conflict,
  InvalidTokenScope,
  Layer,
  BadRequest,
  LayerSet,
  MapshelfError,
  NotFound,
  Forbidden,
  Publish,
  PublishRequest,
  UploadSource,
  type Datasource as SdkDatasource,
} from '../src/index.js';
import { adminToken, startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { ogr2ogr, publishedLayer, uploadDatasources, writePointGrid, type Datasource, type PublishedLayer } from '../../server/test/helpers/published-layers.js';
import { ogrInfo, packagedData, zipFiles } from '../../server/test/helpers/uploads.js';

const sdkRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** One request the SDK made, as its `fetch` saw it. */
interface Call {
  method: string;
  url: string;
}

/** The global fetch, recording every call into `calls`. */
function recordingFetch(calls: Call[]): typeof fetch {
  return async (input, init) => {
    calls.push({ method: init?.method ?? 'GET', url: String(input) });
    return fetch(input, init);
  };
}

/** `ogrinfo -ro -so -al`'s feature count of the one layer at `path`. */
function featureCount(path: string): number {
  const out = execFileSync('ogrinfo', ['-ro', '-so', '-al', path], { encoding: 'utf8' });
  const counts = [...out.matchAll(/^Feature Count: (\d+)$/gm)].map((m) => Number(m[1]));
  assert.equal(counts.length, 1, `one layer in ${path}:\n${out}`);
  return counts[0]!;
}

/** A small Dublin Core record, as a client would upload it. */
const uploadedDc = `<?xml version="1.0" encoding="UTF-8"?>
<!-- uploaded by the SDK managers test -->
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"  xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title>NZ points (uploaded Dublin Core)</dc:title>
  <dc:type>Dataset</dc:type>
</oai_dc:dc>
`;

/** The smallest PDF the server's content sniffing takes as application/pdf. */
const minimalPdf = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
    'trailer << /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);

/** Every `.ts` file under `dir`. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('sdk managers against a server', () => {
  let server: TestServer;
  let work: string;
  let client: Client;
  let pointsGpkg: string;
  let countriesZip: string;
  let countriesShp: string;
  let tableCsv: string;
  let pointSources: Datasource[];
  let tableSources: Datasource[];
  let points: PublishedLayer; // "Managed Points": 500 points, published
  let readings: PublishedLayer; // "Managed Readings": a 12-row table, published
  const savedEnv = { m: process.env.MAPSHELF_TOKEN, k: process.env.KOORDINATES_TOKEN };

  /** A client whose requests are recorded into `calls`. */
  const recordedClient = (calls: Call[]) => new Client({ baseUrl: server.url, token: adminToken, fetch: recordingFetch(calls) });
  /** A client with no token at all (the environment holds none either). */
  const anonymous = () => new Client({ baseUrl: server.url, token: undefined });

  before(async () => {
    // An anonymous client must really be anonymous.
    delete process.env.MAPSHELF_TOKEN;
    delete process.env.KOORDINATES_TOKEN;
    work = mkdtempSync(join(tmpdir(), 'mapshelf-sdk-managers-'));

    pointsGpkg = writePointGrid(work);

    const shpDir = join(work, 'shp');
    mkdirSync(shpDir);
    countriesShp = join(shpDir, 'tasman.shp');
    ogr2ogr([
      '-f', 'ESRI Shapefile', '-a_srs', 'EPSG:4326', '-nlt', 'PROMOTE_TO_MULTI', '-where', "name IN ('New Zealand', 'Australia')",
      countriesShp, packagedData('world-atlas/countries-110m.json'), 'countries',
    ]);
    countriesZip = join(work, 'tasman.zip');
    zipFiles(countriesZip, ['shp', 'shx', 'dbf', 'prj'].map((ext) => join(shpDir, `tasman.${ext}`)));

    const rows = ['station,reading,quality'];
    for (let i = 1; i <= 12; i++) rows.push(`ST${String(i).padStart(4, '0')},${(i * 0.37).toFixed(2)},${i % 3 === 0 ? 'good' : 'fair'}`);
    tableCsv = join(work, 'readings.csv');
    writeFileSync(tableCsv, `${rows.join('\n')}\n`);

    server = await startTestServer();
    client = new Client({ baseUrl: server.url, token: adminToken });

    [pointSources, tableSources] = await Promise.all([uploadDatasources(server, 'Managed points', pointsGpkg), uploadDatasources(server, 'Managed readings', tableCsv)]);
    points = await publishedLayer(server, 'layers', { title: 'Managed Points', data: { datasources: [pointSources[0]!.id] } });
    readings = await publishedLayer(server, 'tables', { title: 'Managed Readings', data: { datasources: [tableSources[0]!.id] } });
    assert.equal(points.data.feature_count, 500);
    assert.equal(readings.data.feature_count, 12);
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    if (savedEnv.m !== undefined) process.env.MAPSHELF_TOKEN = savedEnv.m;
    if (savedEnv.k !== undefined) process.env.KOORDINATES_TOKEN = savedEnv.k;
  });

  /** A new draft layer (or table) made through the SDK from a datasource, imported. */
  const draftOf = async (collection: 'layers' | 'tables', title: string, datasource: number): Promise<Layer> => {
    const manager = collection === 'layers' ? client.layers : client.tables;
    const created = await manager.create({ title, data: { datasources: [datasource] } });
    assert.ok(created instanceof Layer);
    assert.equal(created.version.published_at, null);
    return created.waitForImport({ intervalMs: 50 });
  };

  describe('client.sources', () => {
    it('uploads a GeoPackage and a zipped Shapefile with progress, and lists and gets them', async () => {
      const gpkgReports: Array<[number, number]> = [];
      const gpkgSource = await client.sources.create(new UploadSource({ title: 'SDK points' }).addFile(pointsGpkg), {
        onUploadProgress: (sent, total) => gpkgReports.push([sent, total]),
      });
      assert.equal(gpkgSource.title, 'SDK points');
      assert.equal(gpkgSource.type, 'upload');
      const gpkgSize = statSync(pointsGpkg).size;
      assert.ok(gpkgReports.length > 0, 'progress was reported');
      assert.deepEqual(gpkgReports.at(-1), [gpkgSize, gpkgSize], 'the last report has sent === total === the file size');
      for (const [i, [sent, total]] of gpkgReports.entries()) {
        assert.equal(total, gpkgSize);
        assert.ok(sent >= 0 && sent <= total, `report ${i}: ${sent} of ${total}`);
        if (i > 0) assert.ok(sent >= gpkgReports[i - 1]![0], 'progress never goes back');
      }

      // The Shapefile as a Blob under its name, into a group.
      const group = (await client.users.me()).groups?.[0];
      assert.ok(group, 'the admin is in a group');
      const zipBlob = new Blob([readFileSync(countriesZip)]);
      const zipReports: Array<[number, number]> = [];
      const shpSource = await client.sources.create(
        new UploadSource({ title: 'SDK countries', group: group.id }).addFile(zipBlob, 'tasman.zip'),
        { onUploadProgress: (sent, total) => zipReports.push([sent, total]) },
      );
      assert.deepEqual(zipReports.at(-1), [zipBlob.size, zipBlob.size]);
      assert.equal((shpSource.group as { id: number }).id, group.id);

      const listed = await client.sources.list().toArray();
      for (const source of [gpkgSource, shpSource]) {
        const entry = listed.find((s) => s.id === source.id);
        assert.ok(entry, `source ${source.id} is listed`);
        assert.equal(entry.title, source.title);
        assert.equal(entry.url, source.url);
      }
      const got = await client.sources.get(shpSource.id);
      assert.equal(got.title, 'SDK countries');
      assert.equal(got.url, shpSource.url);

      for (const source of [gpkgSource, shpSource]) {
        const progress: number[] = [];
        const scan = await client.sources.waitForScan(source.id, undefined, { intervalMs: 50, onProgress: (fraction) => progress.push(fraction) });
        assert.equal(scan.status, 'completed', JSON.stringify(scan));
        assert.deepEqual(scan.change_counts, { added: 1, updated: 0, deleted: 0 });
        assert.equal(progress.at(-1), 1, 'progress ends at 1');
        assert.notEqual((await client.sources.get(source.id)).last_scanned_at, null);
      }

      const [gpkgDs] = await client.sources.listDatasources(gpkgSource.id).toArray();
      assert.ok(gpkgDs);
      /** The datasource matches what ogrinfo says of the file, and reads the same alone as listed. */
      const checkDatasource = async (sourceId: number, ds: SdkDatasource, file: string, expected: { format: string; path: string }) => {
        const [info] = ogrInfo(file);
        assert.ok(info);
        assert.equal(ds.data_type, 'vector');
        assert.equal(ds.geometry_type, info.geometryType?.replace(/ /g, ''));
        assert.equal(ds.num_features, featureCount(file));
        assert.equal(ds.num_features, info.featureCount);
        assert.equal(ds.format, expected.format);
        assert.equal(ds.crs, 'EPSG:4326');
        assert.equal(ds.upload_path, expected.path);
        assert.equal(ds.layer, info.name, 'the layer inside the file');
        assert.deepEqual(await client.sources.getDatasource(sourceId, ds.id), ds, 'the datasource alone is as listed');
      };
      await checkDatasource(gpkgSource.id, gpkgDs, pointsGpkg, { format: 'GeoPackage', path: 'points.gpkg' });
      assert.equal(gpkgDs.geometry_type, 'Point');
      assert.equal(gpkgDs.num_features, 500);
      const shpDs = await client.sources.listDatasources(shpSource.id).toArray();
      assert.equal(shpDs.length, 1, JSON.stringify(shpDs));
      await checkDatasource(shpSource.id, shpDs[0]!, countriesShp, { format: 'ESRI Shapefile', path: 'tasman/tasman.shp' });
      assert.equal(shpDs[0]!.num_features, 2);
      assert.equal(featureCount(`/vsizip/${countriesZip}/tasman.shp`), 2, 'the zip holds the same Shapefile');

      await assert.rejects(client.sources.getDatasource(gpkgSource.id, shpDs[0]!.id), NotFound, "another source's datasource is not found");

      // A Blob needs a name; a refused upload is the server's 400, even while the file streams.
      assert.throws(() => new UploadSource({ title: 'No name' }).addFile(new Blob(['x'])), MapshelfError);
      assert.equal(new UploadSource({ title: 'Named' }).addFile(new File([readFileSync(countriesZip)], 'tasman.zip')).files[0]!.name, 'tasman.zip');
      await assert.rejects(
        client.sources.create(new UploadSource({ title: '' }).addFile(pointsGpkg), { onUploadProgress: () => {} }),
        (error: unknown) => {
          assert.ok(error instanceof BadRequest, String(error));
          assert.deepEqual(error.errors.map((e) => e.location), ['source.title']);
          return true;
        },
      );
      await client.sources.delete(gpkgSource.id);
      await client.sources.delete(shpSource.id);
      await assert.rejects(client.sources.get(gpkgSource.id), NotFound);
      assert.ok(!(await client.sources.list().toArray()).some((s) => s.id === gpkgSource.id || s.id === shpSource.id));
    });

    it('lists, gets and starts scans, refuses to cancel a finished one, and streams a scan log line by line', async () => {
      const source = await client.sources.create(new UploadSource({ title: 'SDK rescanned' }).addFile(pointsGpkg, 'grid/points.gpkg'));
      const first = await client.sources.waitForScan(source.id, undefined, { intervalMs: 50 });
      assert.equal(first.status, 'completed');
      assert.deepEqual(first.change_counts, { added: 1, updated: 0, deleted: 0 });

      // A finished scan cannot be cancelled; the server answers 409 (and the SDK Conflict).
      const raw = await server.request('DELETE', `sources/${source.id}/scans/${first.id}/`);
      assert.equal(raw.status, 409, raw.text);
      await assert.rejects(client.sources.cancelScan(source.id, first.id), (error: unknown) => {
        assert.ok(error instanceof Conflict, String(error));
        assert.equal(error.status, 409);
        return true;
      });

      const started = await client.sources.startScan(source.id);
      assert.ok(started.id > first.id, 'a new scan');
      assert.ok(['queued', 'scanning', 'completed'].includes(started.status), started.status);
      const second = await client.sources.waitForScan(source.id, started.id, { intervalMs: 50 });
      assert.equal(second.id, started.id);
      assert.equal(second.status, 'completed');
      assert.deepEqual((await client.sources.waitForScan(source.id, undefined, { intervalMs: 50 })).id, started.id, 'without an id, the newest scan');

      const scans = await client.sources.listScans(source.id).toArray();
      assert.deepEqual(scans.map((s) => s.id), [started.id, first.id], 'newest first');
      assert.deepEqual(await client.sources.getScan(source.id, first.id), scans[1], 'a scan alone is as listed');
      assert.equal((await client.sources.getScan(source.id, started.id)).status, 'completed');
      await assert.rejects(client.sources.getScan(source.id, started.id + 1000), NotFound);

      for (const scan of [first, second]) {
        const text = (await server.request('GET', `sources/${source.id}/scans/${scan.id}/log/`)).text;
        assert.ok(text.length > 0, 'the scan logged something');
        const lines: string[] = [];
        for await (const line of client.sources.scanLog(source.id, scan.id)) lines.push(line);
        assert.ok(lines.length > 0);
        for (const line of lines) {
          assert.ok(line.length > 0, 'no empty lines');
          assert.ok(!line.includes('\n'), `one line: ${JSON.stringify(line)}`);
        }
        assert.deepEqual(lines, text.split('\n').filter((l) => l.length > 0));
        assert.ok(lines.some((l) => l.includes('found 1 dataset')), lines.join('\n'));
      }

      const ds = await client.sources.listDatasources(source.id).toArray();
      assert.equal(ds.length, 1);
      assert.equal(ds[0]!.upload_path, 'grid/points.gpkg');
      assert.equal(ds[0]!.num_features, 500);
      await client.sources.delete(source.id);
      await assert.rejects(client.sources.listScans(source.id).toArray(), NotFound);
    });
  });

  describe('client.layers metadata and permissions', () => {
    it('reads ISO and Dublin Core metadata, and uploads a Dublin Core record onto a draft', async () => {
      const layer = await client.layers.get(points.id);
      const iso = await layer.getMetadata('iso');
      assert.ok(iso.includes('gmd:MD_Metadata'), iso.slice(0, 400));
      assert.ok(iso.includes('Managed Points'));
      const dc = await layer.getMetadata('dc');
      assert.ok(dc.includes('http://purl.org/dc/elements/1.1/'), dc.slice(0, 400));
      assert.match(dc, /<dc:title>Managed Points<\/dc:title>/);

      const draft = await draftOf('layers', 'Metadata Draft', pointSources[0]!.id);
      const uploaded = await draft.setMetadata(uploadedDc);
      assert.equal(uploaded.format, 'dc');
      assert.equal(uploaded.url, `${draft.version.url}metadata/`);
      assert.equal(await draft.getMetadata('native'), uploadedDc);
      assert.equal(await draft.getMetadata(), uploadedDc, "'native' is the default");
      assert.ok((await draft.getMetadata('iso')).includes('gmd:MD_Metadata'));
      await draft.delete();
    });

    it('grants, lists, gets and replaces permissions; the public then sees the layer', async () => {
      const layer = await draftOf('layers', 'Made Public', pointSources[0]!.id);
      const answer = await layer.publish();
      assert.equal((await (await client.publishing.get(answer.id as number)).waitUntilDone({ intervalMs: 50 })).state, 'completed');
      assert.notEqual((await client.layers.get(layer.id)).version.published_at, null);

      const before = await anonymous().catalog.list().toArray();
      assert.ok(!before.some((i) => i.id === layer.id), 'not public yet');
      await assert.rejects(anonymous().layers.get(layer.id), NotFound);

      const permissions = client.layers.permissions(layer.id);
      const granted = await permissions.create({ id: 'group.everyone', permission: 'view' });
      assert.equal(granted.id, 'group.everyone');
      assert.equal(granted.permission, 'view');
      assert.equal(granted.url, `${layer.url}permissions/group.everyone/`);
      const listed = await permissions.list();
      assert.ok(listed.some((p) => p.id === 'group.everyone' && p.permission === 'view'), JSON.stringify(listed));
      assert.deepEqual(await permissions.get('group.everyone'), granted);

      const others = listed.filter((p) => p.id !== 'group.everyone').map((p) => ({ id: p.id, permission: p.permission }));
      const replaced = await permissions.set([...others, { id: 'group.everyone', permission: 'download' }]);
      assert.deepEqual(
        replaced.map((p) => [p.id, p.permission]).sort(),
        [...others.map((p) => [p.id, p.permission]), ['group.everyone', 'download']].sort(),
      );
      assert.equal((await permissions.get('group.everyone')).permission, 'download');

      const seen = await anonymous().catalog.list().toArray();
      const entry = seen.find((i) => i.id === layer.id);
      assert.ok(entry, `the public sees layer ${layer.id}: ${JSON.stringify(seen.map((i) => i.id))}`);
      assert.equal(entry.type, 'layer');
      assert.equal(entry.title, 'Made Public');
      assert.equal((await anonymous().layers.get(layer.id)).title, 'Made Public');

      // Back to private: the public loses it.
      await permissions.set(others);
      await assert.rejects(permissions.get('group.everyone'), NotFound);
      assert.ok(!(await anonymous().catalog.list().toArray()).some((i) => i.id === layer.id));
      await layer.delete();
    });
  });

  describe('client.sets', () => {
    it('creates a set, expands its items without more requests, updates, versions, publishes and deletes it', async () => {
      const table = await client.tables.get(readings.id);
      const doc = await client.documents.create({ title: 'Atlas notes' }, new Blob(['Notes on the atlas.\n']), 'notes.txt');
      const created = await client.sets.create({ title: 'SDK atlas', description: 'made by the SDK', items: [points.url, table, { url: doc.url }] });
      assert.ok(created instanceof LayerSet);
      assert.equal(created.title, 'SDK atlas');
      assert.deepEqual(created.items, [points.url, table.url, doc.url], 'items given as URLs and as objects with url');
      assert.equal(created.version.published_at, null, 'a new set is a draft');

      // Expanded: the items come inline, so getItems() sends nothing.
      const calls: Call[] = [];
      const recorded = recordedClient(calls);
      const expanded = await recorded.sets.get(created.id, { expand: ['items'] });
      assert.equal(calls.length, 1);
      const expandedItems = await expanded.getItems();
      assert.equal(calls.length, 1, 'getItems on an expanded set makes no requests');
      assert.deepEqual(expandedItems.map((i) => [i.url, i.type, i.title]), [
        [points.url, 'layer', 'Managed Points'],
        [table.url, 'table', 'Managed Readings'],
        [doc.url, 'document', 'Atlas notes'],
      ]);
      assert.deepEqual(expanded.items, expandedItems, 'the inlined objects themselves');

      // Not expanded: one GET per item.
      calls.length = 0;
      const plain = await recorded.sets.get(created.id);
      assert.deepEqual(plain.items, [points.url, table.url, doc.url]);
      const fetched = await plain.getItems();
      assert.deepEqual(fetched.map((i) => [i.url, i.type, i.title]), expandedItems.map((i) => [i.url, i.type, i.title]));
      assert.deepEqual(calls.map((c) => `${c.method} ${c.url}`), [`GET ${created.url}`, `GET ${points.url}`, `GET ${table.url}`, `GET ${doc.url}`], 'one GET per item');

      // Saved into the draft.
      const updated = await client.sets.update(created.id, { title: 'SDK atlas, renamed', items: [{ url: table.url }] });
      assert.equal(updated.title, 'SDK atlas, renamed');
      assert.deepEqual(updated.items, [table.url]);
      assert.equal(updated.version.id, created.version.id, 'the same draft');

      const publishAnswer = await updated.publish();
      const request = await client.publishing.get(publishAnswer.id as number);
      assert.ok(request instanceof PublishRequest);
      assert.equal((await request.waitUntilDone({ intervalMs: 50 })).state, 'completed');
      const published = await client.sets.getVersion(created.id, 'published');
      assert.equal(published.version.id, created.version.id);
      assert.notEqual(published.version.published_at, null);
      assert.equal(published.title, 'SDK atlas, renamed');
      assert.equal((await anonymous().sets.list().toArray()).length, 0, 'a set is not public by default');

      const draft = await client.sets.createDraft(created.id);
      assert.notEqual(draft.version.id, created.version.id);
      assert.equal(draft.version.published_at, null);
      await assert.rejects(client.sets.createDraft(created.id), Conflict, 'one draft at a time');
      const edited = await client.sets.update(created.id, { items: [points.url, table.url] });
      assert.equal(edited.version.id, draft.version.id);
      const versions = await client.sets.listVersions(created.id).toArray();
      assert.deepEqual(versions.map((v) => v.version.id).sort((a, b) => a - b), [created.version.id, draft.version.id]);
      assert.ok(versions.every((v) => v instanceof LayerSet));

      await client.sets.publishVersion(created.id, draft.version.id);
      const republished = await client.sets.getVersion(created.id, 'published');
      assert.equal(republished.version.id, draft.version.id);
      assert.deepEqual(republished.items, [points.url, table.url]);
      assert.deepEqual((await client.sets.get(created.id)).items, [points.url, table.url]);

      const permissions = await client.sets.permissions(created.id).list();
      assert.ok(Array.isArray(permissions));
      assert.ok(permissions.every((p) => typeof p.id === 'string' && typeof p.permission === 'string'), JSON.stringify(permissions));
      assert.ok(!permissions.some((p) => p.id === 'group.everyone'));

      await client.sets.delete(created.id);
      await assert.rejects(client.sets.get(created.id), NotFound);
      assert.equal((await client.tables.get(readings.id)).title, 'Managed Readings', 'its items stay');
      await client.documents.delete(doc.id);
    });
  });

  describe('client.publishing', () => {
    it('publishes a draft layer and a draft table together, lists and gets the request', async () => {
      const layer = await draftOf('layers', 'Published Together', pointSources[0]!.id);
      const table = await draftOf('tables', 'Published Together Table', tableSources[0]!.id);

      const publish = new Publish();
      publish.addLayerItem(layer).addTableItem(table);
      publish.strategy = Publish.STRATEGY_TOGETHER;
      assert.deepEqual(publish.items, [layer.version.url, table.version.url]);

      const request = await client.publishing.create(publish);
      assert.ok(request instanceof PublishRequest);
      assert.equal(request.publish_strategy, 'together');
      assert.deepEqual(request.items, [layer.version.url, table.version.url]);
      const done = await request.waitUntilDone({ intervalMs: 50 });
      assert.equal(done.state, 'completed', JSON.stringify(done));
      assert.equal(done.id, request.id);

      const publishedLayer = await client.layers.getVersion(layer.id, 'published');
      const publishedTable = await client.tables.getVersion(table.id, 'published');
      assert.equal(publishedLayer.version.id, layer.version.id);
      assert.equal(publishedTable.version.id, table.version.id);
      assert.notEqual(publishedLayer.version.published_at, null);
      assert.equal(publishedLayer.version.published_at, publishedTable.version.published_at, 'together: in one go');
      assert.ok((await client.layers.list().toArray()).some((l) => l.id === layer.id));
      assert.ok((await client.tables.list().toArray()).some((t) => t.id === table.id));

      const listed = await client.publishing.list().toArray();
      assert.ok(listed.every((r) => r instanceof PublishRequest));
      const entry = listed.find((r) => r.id === request.id);
      assert.ok(entry, 'the request is listed');
      assert.equal(entry.state, 'completed');
      const got = await client.publishing.get(request.id);
      assert.equal(got.state, 'completed');
      assert.equal(got.url, request.url);

      // A finished request cannot be cancelled.
      await assert.rejects(got.cancel(), Conflict);
      await layer.delete();
      await table.delete();
    });

    it('cancels a request scheduled for later', async () => {
      const layer = await draftOf('layers', 'Published Later', pointSources[0]!.id);
      const publish = new Publish().addLayerItem(layer);
      publish.publishAt = new Date(Date.now() + 3_600_000);
      const request = await client.publishing.create(publish);
      assert.equal(request.state, 'pending');
      assert.equal(new Date(request.publish_at as string).toISOString(), publish.publishAt.toISOString());
      await assert.rejects(client.publishing.create(new Publish().addLayerItem(layer)), Conflict, 'the version already waits in a request');

      await request.cancel();
      const cancelled = await client.publishing.get(request.id);
      assert.equal(cancelled.state, 'cancelled');
      assert.equal((await cancelled.waitUntilDone()).state, 'cancelled', 'a cancelled request is done');
      assert.equal((await client.layers.getVersion(layer.id, layer.version.id)).version.published_at, null, 'nothing was published');
      await assert.rejects(client.layers.getVersion(layer.id, 'published'), NotFound);
      assert.ok((await client.publishing.list().filter({ state: 'cancelled' }).toArray()).some((r) => r.id === request.id));
      await layer.delete();
    });
  });

  describe('client.documents', () => {
    it('uploads a PDF, gets, lists, updates, downloads and deletes it', async () => {
      const created = await client.documents.create({ title: 'SDK report', tags: ['sdk'] }, new Blob([minimalPdf]), 'report.pdf');
      assert.equal(created.type, 'document');
      assert.equal(created.title, 'SDK report');
      assert.equal(created.filename, 'report.pdf');
      assert.equal(created.media_type, 'application/pdf');
      assert.equal(created.size, minimalPdf.length);

      const pdfPath = join(work, 'from-disk.pdf');
      writeFileSync(pdfPath, minimalPdf);
      const fromDisk = await client.documents.create({ title: 'SDK report from disk' }, pdfPath);
      assert.equal(fromDisk.filename, 'from-disk.pdf');
      assert.equal(fromDisk.size, minimalPdf.length);

      const got = await client.documents.get(created.id);
      assert.equal(got.url, created.url);
      assert.equal(got.title, 'SDK report');
      const listed = await client.documents.list().toArray();
      assert.deepEqual(listed.map((d) => d.id).sort((a, b) => a - b), [created.id, fromDisk.id].sort((a, b) => a - b));

      const updated = await client.documents.update(created.id, { title: 'SDK report, final', description: 'checked' });
      assert.equal(updated.title, 'SDK report, final');
      assert.equal(updated.description, 'checked');
      assert.equal((await client.documents.get(created.id)).title, 'SDK report, final');

      const bytes = await client.documents.download(created.id);
      assert.ok(Buffer.from(await bytes.arrayBuffer()).equals(minimalPdf), 'the downloaded bytes are the uploaded ones');
      assert.equal(bytes.type.split(';')[0], 'application/pdf');

      const permissions = client.documents.permissions(created.id);
      const initial = await permissions.list();
      assert.ok(!initial.some((p) => p.id === 'group.everyone'), 'not public by default');
      await assert.rejects(anonymous().documents.get(created.id), NotFound);

      // Viewing is not downloading.
      const viewers = await permissions.create({ group: 'everyone', permission: 'view' });
      assert.equal(viewers.id, 'group.everyone');
      assert.equal((await anonymous().documents.get(created.id)).title, 'SDK report, final');
      await assert.rejects(anonymous().documents.download(created.id), Forbidden);
      await permissions.create({ id: 'group.everyone', permission: 'download' });
      assert.ok(Buffer.from(await (await anonymous().documents.download(created.id)).arrayBuffer()).equals(minimalPdf));
      assert.deepEqual(
        (await permissions.list()).map((p) => [p.id, p.permission]).sort(),
        [...initial.map((p) => [p.id, p.permission]), ['group.everyone', 'download']].sort(),
      );

      await client.documents.delete(created.id);
      await client.documents.delete(fromDisk.id);
      await assert.rejects(client.documents.get(created.id), NotFound);
      await assert.rejects(client.documents.download(created.id), NotFound);
      assert.equal(await client.documents.list().count(), 0);
    });
  });

  describe('client.users, client.groups and client.tokens', () => {
    it('reads me, lists, gets, creates and deletes users', async () => {
      const me = await client.users.me();
      assert.equal(me.is_admin, true);
      assert.equal(typeof me.username, 'string');
      assert.deepEqual((await client.users.get(me.id)).username, me.username);

      const made = await client.users.create({ username: 'sdk.user', email: 'sdk.user@example.org', first_name: 'Sdk', last_name: 'User' });
      assert.equal(made.username, 'sdk.user');
      assert.equal(made.email, 'sdk.user@example.org');
      assert.equal(made.is_admin, false);
      const listed = await client.users.list().toArray();
      assert.ok(listed.some((u) => u.id === me.id));
      assert.ok(listed.some((u) => u.id === made.id && u.username === 'sdk.user'));
      assert.equal((await client.users.get(made.id)).first_name, 'Sdk');

      await client.users.delete(made.id);
      const gone = await client.users.get(made.id);
      assert.equal(gone.is_active, false, 'deleting deactivates');
      await assert.rejects(anonymous().users.me(), AuthenticationError, 'no token, no user');
    });

    it('creates, gets, renames, lists and deletes groups, and manages their members', async () => {
      const user = await client.users.create({ username: 'sdk.member' });
      const group = await client.groups.create({ name: 'SDK editors' });
      assert.equal(group.name, 'SDK editors');
      assert.equal((await client.groups.get(group.id)).name, 'SDK editors');
      const renamed = await client.groups.update(group.id, { name: 'SDK editors (renamed)', description: 'from the SDK' });
      assert.equal(renamed.name, 'SDK editors (renamed)');
      assert.equal(renamed.description, 'from the SDK');
      assert.ok((await client.groups.list().toArray()).some((g) => g.id === group.id && g.name === 'SDK editors (renamed)'));

      const member = await client.groups.addMember(group.id, user.id, 'editor');
      assert.equal(member.role, 'editor');
      assert.equal(member.user.id, user.id);
      const members = await client.groups.listMembers(group.id).toArray();
      assert.deepEqual(members.map((m) => [m.user.id, m.role]), [[user.id, 'editor']]);
      assert.deepEqual((await client.users.get(user.id)).groups?.map((g) => [g.id, g.role]), [[group.id, 'editor']]);
      const promoted = await client.groups.addMember(group.id, user.id, 'admin');
      assert.equal(promoted.role, 'admin', 'adding again changes the role');

      await client.groups.removeMember(group.id, user.id);
      assert.equal(await client.groups.listMembers(group.id).count(), 0);
      await assert.rejects(client.groups.removeMember(group.id, user.id), NotFound);
      await client.groups.delete(group.id);
      await assert.rejects(client.groups.get(group.id), NotFound);
      await client.users.delete(user.id);
    });

    it('creates a scoped token whose key works once shown, lists, gets and revokes it', async () => {
      const token = await client.tokens.create({ name: 'sdk read-only', scope: 'layers:read' });
      assert.equal(token.name, 'sdk read-only');
      assert.equal(token.scope, 'layers:read');
      assert.equal(typeof token.key, 'string');
      const key = token.key!;
      assert.ok(key.length >= 20);

      const listed = await client.tokens.list().toArray();
      const entry = listed.find((t) => t.id === token.id);
      assert.ok(entry, 'the token is listed');
      assert.equal(entry.key, undefined, 'the key is not listed');
      const got = await client.tokens.get(token.id);
      assert.equal(got.scope, 'layers:read');
      assert.equal(got.key, undefined, 'nor shown again');
      assert.ok(!JSON.stringify(got).includes(key));

      const scoped = new Client({ baseUrl: server.url, token: key });
      assert.ok((await scoped.layers.list().toArray()).some((l) => l.id === points.id));
      await assert.rejects(scoped.sources.list().toArray(), (error: unknown) => {
        assert.ok(error instanceof InvalidTokenScope, String(error));
        assert.equal(error.status, 403);
        assert.equal(error.code, 'invalid_token_scope');
        assert.deepEqual(error.requiredScopes, ['sources:read']);
        return true;
      });

      await client.tokens.revoke(token.id);
      await assert.rejects(scoped.layers.list().toArray(), (error: unknown) => {
        assert.ok(error instanceof AuthenticationError, String(error));
        assert.equal(error.status, 401);
        return true;
      });
      await assert.rejects(client.tokens.get(token.id), NotFound);
    });
  });
});

describe('sdk in a browser', () => {
  it('imports no Node module at the top level of its source, and has no runtime dependencies', () => {
    const files = tsFiles(join(sdkRoot, 'src'));
    assert.ok(files.length >= 10, files.join('\n'));
    const staticNodeImport = /^\s*(?:import|export)\b[^;]*?\bfrom\s*['"](?:node:[^'"]+|fs|path|os|stream|url|crypto|child_process|http|https|buffer|util|zlib|events)(?:\/[^'"]*)?['"]/m;
    const bareImport = /^\s*import\s*['"]node:[^'"]+['"]/m;
    const required = /\brequire\s*\(\s*['"]node:/;
    const offenders: string[] = [];
    let dynamic = 0;
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      if (staticNodeImport.test(source) || bareImport.test(source) || required.test(source)) offenders.push(relative(sdkRoot, file));
      dynamic += (source.match(/\bimport\(\s*['"]node:/g) ?? []).length;
    }
    assert.deepEqual(offenders, [], 'no top-level imports of Node modules');
    assert.ok(dynamic > 0, 'Node-only helpers (reading a path) load node: modules lazily, inside functions');

    const pkg = JSON.parse(readFileSync(join(sdkRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(pkg.dependencies, undefined, 'no runtime dependencies');
    assert.equal(pkg.type, 'module');
  });
});
