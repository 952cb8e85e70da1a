/**
 * Sets end to end, through HTTP against a running server with real GDAL: the version lifecycle
 * (create → draft → publish → edit into a new draft → publish again, and the 409s guarding
 * published and only versions), item validation (bad URLs, duplicates, and someone else's
 * private layer refused exactly like a missing one), which items each caller is shown (plain
 * URLs, `Expand: items`, the old client's `Expand: i,t,e,m,s`, `Expand: list` on sets/), 404 for
 * outsiders against 403 for viewers, metadata (generated ISO 19139 validated offline with
 * xmllint, Dublin Core, uploads onto the draft), and the catalog: drafts only in data/latest/,
 * a set's extent as the union of its layers' extents, anonymous access once public, and removal
 * on delete.
 *
 * Data: New Zealand and Norway (group A) and Kenya (group B), cut from the packaged world-atlas
 * countries-110m with ogr2ogr, one GeoPackage layer each; extents come from ogrinfo. A tiny PDF
 * document in group A.
 *
 * Set used for visibility: owned by group A, holding the public NZ layer, the private Norway
 * layer and the private document; group B holds view on the set only.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminToken, createUserWithToken, startTestServer, type ApiResponse, type TestServer } from './helpers/server.js';
import { ogrInfo, packagedData, part, uploadSource, waitForScan } from './helpers/uploads.js';
import { iso19139SchemaPath } from '../src/domain/metadata/index.js';

// The schemas in the repository (schemas/iso19139/), where the server finds them too.
const isoSchema = iso19139SchemaPath;

type Bbox = [number, number, number, number];
type Caller = 'site_admin' | 'a_admin' | 'a_viewer' | 'b_editor' | 'outsider' | 'anonymous';

const scope = 'sets:read sets:write layers:read layers:write sources:read sources:write documents:read documents:write catalog users:read';
const importing = ['queued', 'importing'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Datasource {
  id: number;
  layer: string;
  data_type: string;
}

interface Layer {
  id: number;
  url: string;
  type: 'layer' | 'table';
  title: string;
  version: { id: number; url: string; status: string };
}

interface Doc {
  id: number;
  url: string;
  type: 'document';
  media_type: string;
}

interface SetObject {
  id: number;
  url: string;
  type: 'set';
  title: string;
  name: string;
  description: string;
  tags: string[];
  categories: string[];
  settings: Record<string, unknown>;
  license: { id: number; url: string } | null;
  group: { id: number; url: string };
  items: Array<string | { url: string; type: string; [key: string]: unknown }>;
  first_published_at: string | null;
  published_at: string | null;
  published_version: string | null;
  latest_version: string;
  this_version: string;
  version: { id: number; url: string; number: number; status: string; published_at: string | null };
  metadata: { iso: string; dc: string; native: string; record: string };
  permissions: string;
}

interface CatalogRow {
  id: number;
  url: string;
  type: string;
  title: string;
  extent: { type: string; coordinates: number[][][] } | null;
  published_at: string | null;
}

const uploadedDc = `<?xml version="1.0" encoding="UTF-8"?>
<!-- uploaded by the sets test -->
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"  xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title>Tasman atlas (uploaded Dublin Core)</dc:title>
  <dc:type>Collection</dc:type>
</oai_dc:dc>
`;

const minimalPdf = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
    'trailer << /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);

function ogr2ogr(args: string[]): void {
  execFileSync('ogr2ogr', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function locations(res: ApiResponse): string[] {
  return ((res.body?.errors ?? []) as Array<{ location: string }>).map((e) => e.location);
}

/** A 400 with an error at exactly `location`. */
function assertBadRequest(res: ApiResponse, location: string, what: string): void {
  assert.equal(res.status, 400, `${what}: expected 400, got ${res.status} ${res.text}`);
  assert.ok(locations(res).includes(location), `${what}: expected an error at ${location}, got ${res.text}`);
}

function assertError(res: ApiResponse, status: 403 | 404 | 409, what: string): void {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text}`);
  const code = { 403: 'forbidden', 404: 'not_found', 409: 'conflict' }[status];
  if (status !== 409) assert.equal(res.body?.code, code, `${what}: error code in ${res.text}`);
}

/** The bbox of a GeoJSON polygon made by bboxPolygon. */
function bboxOf(polygon: { coordinates: number[][][] }): Bbox {
  const ring = polygon.coordinates[0]!;
  const xs = ring.map((p) => p[0]!);
  const ys = ring.map((p) => p[1]!);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function assertBboxClose(got: Bbox, want: Bbox, what: string, tolerance = 1e-6): void {
  got.forEach((value, i) => assert.ok(Math.abs(value - want[i]!) <= tolerance, `${what}: got ${got}, expected ${want}`));
}

/** Numbers inside the named ISO element, e.g. gmd:westBoundLongitude → gco:Decimal. */
function isoDecimals(xml: string, element: string): number[] {
  const pattern = new RegExp(`<gmd:${element}>\\s*<gco:Decimal>([^<]+)</gco:Decimal>\\s*</gmd:${element}>`, 'g');
  return [...xml.matchAll(pattern)].map((m) => Number(m[1]));
}

/** An error body with its request_id dropped and the given ids written as N, to compare two answers. */
function errorShape(res: ApiResponse, ids: number[]): unknown {
  let text = res.text;
  for (const id of [...ids].sort((a, b) => b - a)) text = text.replaceAll(String(id), 'N');
  const { request_id: _requestId, ...rest } = JSON.parse(text) as Record<string, unknown>;
  return rest;
}

const union = (a: Bbox, b: Bbox): Bbox => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];

describe('sets', () => {
  let server: TestServer;
  let work: string;
  let groupA: number;
  let groupB: number;
  const users = {} as Record<'a_admin' | 'a_viewer' | 'b_editor' | 'outsider', { id: number; token: string; url: string }>;
  let extents: Record<'nz' | 'no' | 'ke', Bbox>;
  let ccBy: number;
  let LP: Layer; // New Zealand, group A, public (group.everyone view)
  let LA: Layer; // Norway, group A, private
  let LB: Layer; // Kenya, group B, private
  let D: Doc; // a PDF, group A, private
  let missingLayer: number;

  const tokenOf = (caller: Caller): string | null =>
    caller === 'site_admin' ? adminToken : caller === 'anonymous' ? null : users[caller].token;

  const call = (caller: Caller, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    server.request(method, path, { token: tokenOf(caller), headers, ...(body !== undefined && { body }) });

  const get = async <T = any>(caller: Caller, path: string, headers: Record<string, string> = {}): Promise<T> => {
    const res = await call(caller, 'GET', path, undefined, headers);
    assert.equal(res.status, 200, `${caller} GET ${path}: ${res.status} ${res.text}`);
    return res.body as T;
  };

  const getXml = async (caller: Caller, url: string): Promise<string> => {
    const res = await call(caller, 'GET', url, undefined, { accept: 'application/xml' });
    assert.equal(res.status, 200, `${caller} GET ${url}: ${res.status} ${res.text}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/xml/, `GET ${url}`);
    return res.text;
  };

  const postXml = (caller: Caller, url: string, xml: string) =>
    server.request('POST', url, { raw: xml, token: tokenOf(caller), headers: { 'content-type': 'application/xml' } });

  /** Runs xmllint on a document; returns its stderr on failure, or null when it passes. */
  const xmllint = (xml: string, schema: string | null): string | null => {
    const file = join(work, `doc-${Date.now()}-${Math.random().toString(36).slice(2)}.xml`);
    writeFileSync(file, xml);
    try {
      execFileSync('xmllint', ['--nonet', '--noout', ...(schema ? ['--schema', schema] : []), file], { stdio: ['ignore', 'pipe', 'pipe'] });
      return null;
    } catch (error) {
      return String((error as { stderr?: Buffer }).stderr ?? error);
    }
  };

  const createSet = async (caller: Caller, body: Record<string, unknown>): Promise<SetObject> => {
    const res = await call(caller, 'POST', 'sets/', body);
    assert.equal(res.status, 201, `${caller} POST sets/: ${res.status} ${res.text}`);
    assert.equal(res.headers.get('location'), res.body.url, 'Location is the set URL');
    return res.body as SetObject;
  };

  const publishVersion = async (caller: Caller, versionUrl: string) => {
    const res = await call(caller, 'POST', `${versionUrl}publish/`, {});
    assert.equal(res.status, 201, `publish ${versionUrl}: ${res.status} ${res.text}`);
    assert.equal(res.body.state, 'completed', res.text);
    assert.deepEqual(res.body.items, [versionUrl]);
    return res.body;
  };

  /** Ids in a list answer, checking X-Resource-Range counts exactly them. */
  const listIds = async (caller: Caller, path: string, headers: Record<string, string> = {}): Promise<number[]> => {
    const res = await call(caller, 'GET', path, undefined, headers);
    assert.equal(res.status, 200, `${caller} GET ${path}: ${res.status} ${res.text}`);
    assert.ok(Array.isArray(res.body), res.text);
    const n = (res.body as unknown[]).length;
    assert.equal(res.headers.get('x-resource-range'), `0-${n}/${n}`, `${caller} GET ${path}: X-Resource-Range`);
    return (res.body as Array<{ id: number }>).map((r) => r.id);
  };

  const importedLayer = async (body: Record<string, unknown>): Promise<Layer> => {
    const created = await call('site_admin', 'POST', 'layers/', body);
    assert.equal(created.status, 201, `POST layers/: ${created.text}`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const layer = await get<Layer>('site_admin', (created.body as Layer).version.url);
      if (!importing.includes(layer.version.status)) {
        assert.equal(layer.version.status, 'ok', JSON.stringify(layer.version));
        return layer;
      }
      assert.ok(Date.now() < deadline, 'import did not finish in 30 s');
      await sleep(50);
    }
  };

  const publishedLayer = async (body: Record<string, unknown>): Promise<Layer> => {
    const layer = await importedLayer(body);
    const publish = await call('site_admin', 'POST', `${layer.version.url}publish/`, {});
    assert.equal(publish.status, 201, publish.text);
    const deadline = Date.now() + 30_000;
    let state = publish.body.state as string;
    while (state === 'pending' || state === 'publishing') {
      assert.ok(Date.now() < deadline, 'publish did not finish in 30 s');
      await sleep(50);
      state = (await get('site_admin', publish.body.url)).state;
    }
    assert.equal(state, 'completed');
    return get<Layer>('site_admin', layer.url);
  };

  const uploadDocument = async (caller: Caller, fields: Record<string, unknown>, data: Buffer, filename: string): Promise<Doc> => {
    const form = new FormData();
    form.append('document', JSON.stringify(fields));
    form.append('file0', new Blob([new Uint8Array(data)]), filename);
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = tokenOf(caller);
    if (token) headers.authorization = `key ${token}`;
    const response = await fetch(`${server.api}documents/`, { method: 'POST', headers, body: form });
    const text = await response.text();
    assert.equal(response.status, 201, `POST documents/: ${response.status} ${text}`);
    return JSON.parse(text) as Doc;
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-sets-'));
    const atlas = packagedData('world-atlas/countries-110m.json');
    const gpkgA = join(work, 'group_a.gpkg');
    const gpkgB = join(work, 'group_b.gpkg');
    for (const [gpkg, key, name, update] of [
      [gpkgA, 'nz', 'New Zealand', false],
      [gpkgA, 'no', 'Norway', true],
      [gpkgB, 'ke', 'Kenya', false],
    ] as const) {
      ogr2ogr([
        '-f', 'GPKG', ...(update ? ['-update'] : []), '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON',
        '-where', `name = '${name}'`, '-nln', key, gpkg, atlas, 'countries',
      ]);
    }
    const info = [...ogrInfo(gpkgA), ...ogrInfo(gpkgB)];
    extents = Object.fromEntries(
      (['nz', 'no', 'ke'] as const).map((key) => {
        const layer = info.find((l) => l.name === key);
        assert.ok(layer?.extent && layer.featureCount >= 1, `ogrinfo ${key}: ${JSON.stringify(layer)}`);
        return [key, layer.extent];
      }),
    ) as Record<'nz' | 'no' | 'ke', Bbox>;
    // The bbox searches below rely on New Zealand and Norway being far apart.
    assert.ok(extents.nz[0] > 160 && extents.nz[3] < -30, `NZ extent ${extents.nz}`);
    assert.ok(extents.no[0] > -10 && extents.no[1] > 55 && extents.no[2] < 35, `Norway extent ${extents.no}`);

    server = await startTestServer();
    const a = await server.request('POST', 'groups/', { body: { name: 'Group A' } });
    const b = await server.request('POST', 'groups/', { body: { name: 'Group B' } });
    assert.equal(a.status, 201, a.text);
    assert.equal(b.status, 201, b.text);
    groupA = a.body.id;
    groupB = b.body.id;
    for (const name of ['a_admin', 'a_viewer', 'b_editor', 'outsider'] as const) users[name] = await createUserWithToken(server, name, scope);
    for (const [group, user, role] of [
      [groupA, users.a_admin.id, 'admin'],
      [groupA, users.a_viewer.id, 'viewer'],
      [groupB, users.b_editor.id, 'editor'],
    ] as const) {
      const member = await server.request('POST', `groups/${group}/members/`, { body: { user, role } });
      assert.equal(member.status, 201, member.text);
    }
    const licenses = await get<Array<{ id: number; type: string; version: string }>>('site_admin', 'licenses/?page_size=100');
    ccBy = licenses.find((l) => l.type === 'cc-by' && l.version === '4.0')!.id;
    assert.ok(ccBy, 'a seeded cc-by 4.0 license');

    const upload = async (title: string, path: string, group: number): Promise<Datasource[]> => {
      const res = await uploadSource(server, title, [part(path)], { group });
      assert.equal(res.status, 201, `upload ${title}: ${res.text}`);
      const scan = await waitForScan(server, res.body.id as number);
      assert.equal(scan.status, 'completed', `scan of ${title}: ${JSON.stringify(scan)}`);
      return get<Datasource[]>('site_admin', `sources/${res.body.id}/datasources/?page_size=100`);
    };
    const [dsA, dsB] = await Promise.all([upload('Group A countries', gpkgA, groupA), upload('Group B countries', gpkgB, groupB)]);
    const ds = (list: Datasource[], key: string) => {
      const found = list.find((d) => d.layer === key);
      assert.ok(found, `datasource ${key} in ${JSON.stringify(list)}`);
      return { datasources: [found.id] };
    };
    [LP, LA, LB] = await Promise.all([
      publishedLayer({ title: 'New Zealand outline', group: groupA, data: ds(dsA, 'nz') }),
      publishedLayer({ title: 'Norway outline', group: groupA, data: ds(dsA, 'no') }),
      publishedLayer({ title: 'Kenya outline', group: groupB, data: ds(dsB, 'ke') }),
    ]);
    const everyone = await call('site_admin', 'POST', `layers/${LP.id}/permissions/`, { id: 'group.everyone', permission: 'view' });
    assert.equal(everyone.status, 201, everyone.text);
    D = await uploadDocument('a_admin', { title: 'Field survey report', group: groupA }, minimalPdf, 'survey.pdf');
    assert.equal(D.media_type, 'application/pdf');
    missingLayer = LP.id + LA.id + LB.id + 1000;
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('the version lifecycle', () => {
    let S: SetObject;
    let v1: string;
    let v2: string;

    it('creates a set whose first version is a draft, holding the items in order', async () => {
      S = await createSet('a_admin', {
        title: 'Tasman atlas',
        description: 'Outlines around the Tasman Sea.',
        tags: ['pacific', 'outlines'],
        categories: ['boundaries'],
        license: ccBy,
        group: groupA,
        items: [LP.url, { url: LA.url }, D.url],
        settings: { basemap: 'light', zoom: 4 },
      });
      v1 = S.version.url;
      assert.equal(S.type, 'set');
      assert.equal(S.title, 'Tasman atlas');
      assert.equal(S.name, 'Tasman atlas');
      assert.equal(S.description, 'Outlines around the Tasman Sea.');
      assert.deepEqual(S.tags, ['pacific', 'outlines']);
      assert.deepEqual(S.categories, ['boundaries']);
      assert.deepEqual(S.settings, { basemap: 'light', zoom: 4 });
      assert.equal(S.license?.id, ccBy);
      assert.equal(S.group.id, groupA);
      assert.deepEqual(S.items, [LP.url, LA.url, D.url]);
      assert.equal(S.version.number, 1);
      assert.equal(S.version.published_at, null);
      assert.equal(S.published_at, null);
      assert.equal(S.first_published_at, null);
      assert.equal(S.published_version, null);
      assert.equal(S.latest_version, v1);
      assert.equal(S.this_version, v1);
      assert.equal(v1, `${S.url}versions/${S.version.id}/`);
      assert.equal(S.permissions, `${S.url}permissions/`);
      const { record, ...documents } = S.metadata;
      assert.deepEqual(documents, { iso: `${v1}metadata/iso/`, dc: `${v1}metadata/dc/`, native: `${v1}metadata/` });
      assert.match(record, /\/metadata\/v1\/resources\/[0-9a-f]{32}\/$/, "the set's record in the Metadata API");
    });

    it('takes `name` for the title and needs one of them', async () => {
      const named = await createSet('a_admin', { name: 'Named by the old client', group: groupA });
      assert.equal(named.title, 'Named by the old client');
      assert.deepEqual(named.items, []);
      assertBadRequest(await call('a_admin', 'POST', 'sets/', { group: groupA, items: [] }), 'body.title', 'no title');
      assert.equal((await call('a_admin', 'DELETE', named.url)).status, 204);
    });

    it('shows a draft only in drafts/, and the draft through GET sets/{id}/', async () => {
      assert.ok(!(await listIds('a_admin', 'sets/')).includes(S.id), 'an unpublished set is not in sets/');
      assert.ok((await listIds('a_admin', 'sets/drafts/')).includes(S.id), 'it is in sets/drafts/');
      const got = await get<SetObject>('a_admin', S.url);
      assert.equal(got.this_version, v1);
      assert.equal(got.title, 'Tasman atlas');
      assert.equal((await get<SetObject>('a_admin', `${S.url}versions/draft/`)).this_version, v1);
      assertError(await call('a_admin', 'GET', `${S.url}versions/published/`), 404, 'no published version yet');
      assertError(await call('a_admin', 'POST', `${S.url}versions/`), 409, 'a new draft while one exists');
    });

    it('publishes the draft at once, and refuses to publish it again', async () => {
      const publish = await publishVersion('a_admin', v1);
      assert.ok(publish.url.includes('/publish/'), publish.url);
      assertError(await call('a_admin', 'POST', `${v1}publish/`, {}), 409, 'publishing a published version');
      assertError(await call('a_admin', 'POST', 'publish/', { items: [v1] }), 409, 'publishing it through publish/');

      const got = await get<SetObject>('a_admin', S.url);
      assert.equal(got.published_version, v1);
      assert.equal(got.this_version, v1);
      assert.ok(got.published_at && got.first_published_at, JSON.stringify(got));
      assert.equal(got.version.published_at, got.published_at);
      assert.ok((await listIds('a_admin', 'sets/')).includes(S.id), 'published, it is in sets/');
      assert.ok(!(await listIds('a_admin', 'sets/drafts/')).includes(S.id), 'and no longer in sets/drafts/');
      assertError(await call('a_admin', 'GET', `${S.url}versions/draft/`), 404, 'no draft after publishing');
      assert.equal((await get<SetObject>('a_admin', `${S.url}versions/published/`)).this_version, v1);
    });

    it('saves a PUT into a new draft, leaving the published version as it was', async () => {
      const put = await call('a_admin', 'PUT', S.url, { title: 'Tasman atlas, second edition', items: [LP.url, D.url] });
      assert.equal(put.status, 200, put.text);
      const draft = put.body as SetObject;
      v2 = draft.this_version;
      assert.notEqual(v2, v1);
      assert.equal(draft.version.number, 2);
      assert.equal(draft.version.published_at, null);
      assert.equal(draft.title, 'Tasman atlas, second edition');
      assert.deepEqual(draft.items, [LP.url, D.url]);
      // Unchanged fields are copied from the published version.
      assert.equal(draft.description, 'Outlines around the Tasman Sea.');
      assert.deepEqual(draft.tags, ['pacific', 'outlines']);
      assert.deepEqual(draft.settings, { basemap: 'light', zoom: 4 });
      assert.equal(draft.license?.id, ccBy);
      assert.equal(draft.published_version, v1);
      assert.equal(draft.latest_version, v2);

      const current = await get<SetObject>('a_admin', S.url);
      assert.equal(current.this_version, v1, 'GET sets/{id}/ still shows the published version');
      assert.equal(current.title, 'Tasman atlas');
      assert.deepEqual(current.items, [LP.url, LA.url, D.url]);
      assert.equal(current.latest_version, v2);

      // A second PUT edits the same draft.
      const again = await call('a_admin', 'PUT', S.url, { description: 'Second edition.' });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.this_version, v2);
      assert.equal(again.body.version.number, 2);
      assert.equal(again.body.title, 'Tasman atlas, second edition');
      assert.deepEqual(again.body.items, [LP.url, D.url]);
      assert.ok((await listIds('a_admin', 'sets/drafts/')).includes(S.id));
    });

    it('lists both versions, oldest first', async () => {
      const res = await call('a_admin', 'GET', `${S.url}versions/`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get('x-resource-range'), '0-2/2');
      assert.deepEqual(
        (res.body as Array<{ version: { url: string } }>).map((v) => v.version.url),
        [v1, v2],
      );
      const full = await get<SetObject[]>('a_admin', `${S.url}versions/`, { expand: 'list' });
      assert.deepEqual(full.map((v) => v.version.number), [1, 2]);
      assert.deepEqual(full.map((v) => v.title), ['Tasman atlas', 'Tasman atlas, second edition']);
      assert.deepEqual(full[0]!.items, [LP.url, LA.url, D.url]);
      assert.deepEqual(full[1]!.items, [LP.url, D.url]);
      assert.equal((await get<SetObject>('a_admin', v1)).title, 'Tasman atlas');
      assert.equal((await get<SetObject>('a_admin', v2)).description, 'Second edition.');
    });

    it('never changes or deletes a published version', async () => {
      assertError(await call('a_admin', 'PUT', v1, { title: 'Rewritten history' }), 409, 'PUT on a published version');
      assertError(await call('a_admin', 'DELETE', v1), 409, 'DELETE of a published version');
      assert.equal((await get<SetObject>('a_admin', v1)).title, 'Tasman atlas');
      // The draft itself can be edited through its version URL.
      const edit = await call('a_admin', 'PUT', v2, { tags: ['pacific', 'second'] });
      assert.equal(edit.status, 200, edit.text);
      assert.deepEqual(edit.body.tags, ['pacific', 'second']);
    });

    it('publishes again through publish/ with the set version URL', async () => {
      const res = await call('a_admin', 'POST', 'publish/', { items: [v2] });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.state, 'completed', res.text);
      assert.deepEqual(res.body.items, [v2]);
      const got = await get<SetObject>('a_admin', S.url);
      assert.equal(got.this_version, v2);
      assert.equal(got.published_version, v2);
      assert.equal(got.title, 'Tasman atlas, second edition');
      assert.deepEqual(got.items, [LP.url, D.url]);
      assertError(await call('a_admin', 'GET', `${S.url}versions/draft/`), 404, 'no draft after publishing again');
      const first = await get<SetObject>('a_admin', v1);
      assert.ok(first.version.published_at, 'the first version stays published (in history)');
    });

    it('publishes a set version through publish/ with sets scopes alone; layers scopes are not enough', async () => {
      const tokenWith = async (scopes: string) => {
        const res = await server.request('POST', 'tokens/', { body: { name: scopes, scope: scopes, user: users.a_admin.id } });
        assert.equal(res.status, 201, res.text);
        return res.body.key as string;
      };
      const setsOnly = await tokenWith('sets:read sets:write');
      const layersOnly = await tokenWith('layers:read layers:write sets:read');
      const created = await server.request('POST', 'sets/', { token: setsOnly, body: { title: 'Scoped set', group: groupA } });
      assert.equal(created.status, 201, created.text);
      const version = created.body.version.url as string;
      const refused = await server.request('POST', 'publish/', { token: layersOnly, body: { items: [version] } });
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.code, 'invalid_token_scope');
      assert.deepEqual(refused.body.required_scopes, ['sets:write']);
      const published = await server.request('POST', 'publish/', { token: setsOnly, body: { items: [version] } });
      assert.equal(published.status, 201, published.text);
      assert.equal(published.body.state, 'completed');
      assert.equal((await server.request('GET', published.body.url, { token: setsOnly })).status, 200, 'reading it back with sets:read');
      assert.equal((await server.request('DELETE', created.body.url, { token: setsOnly })).status, 204);
    });

    it('makes a new draft with POST versions/ (Location = the version URL), and deletes it', async () => {
      const bare = await createSet('a_admin', { title: 'Bare set', description: 'No items.', group: groupA });
      await publishVersion('a_admin', bare.version.url);
      const res = await call('a_admin', 'POST', `${bare.url}versions/`);
      assert.equal(res.status, 201, res.text);
      const draft = res.body as SetObject;
      assert.equal(res.headers.get('location'), draft.version.url, 'Location is the new version URL');
      assert.notEqual(draft.version.url, bare.version.url);
      assert.equal(draft.version.number, 2);
      assert.equal(draft.version.published_at, null);
      assert.equal(draft.title, 'Bare set');
      assert.equal(draft.description, 'No items.');
      assert.equal(draft.published_version, bare.version.url);
      assert.equal((await get<SetObject>('a_admin', `${bare.url}versions/draft/`)).this_version, draft.version.url);
      assertError(await call('a_admin', 'POST', `${bare.url}versions/`), 409, 'a second draft');

      const del = await call('a_admin', 'DELETE', draft.version.url);
      assert.equal(del.status, 204, del.text);
      assertError(await call('a_admin', 'GET', draft.version.url), 404, 'the deleted draft');
      assertError(await call('a_admin', 'GET', `${bare.url}versions/draft/`), 404, 'no draft left');
      assert.equal((await get<SetObject>('a_admin', bare.url)).this_version, bare.version.url);
      assert.equal((await call('a_admin', 'DELETE', bare.url)).status, 204);
    });

    /** Deletes the set's draft if it has one, so a test leaves the set as it found it. */
    const dropDraft = async () => {
      const draft = await call('a_admin', 'GET', `${S.url}versions/draft/`);
      if (draft.status === 200) assert.equal((await call('a_admin', 'DELETE', draft.body.version.url)).status, 204);
    };

    it(
      'makes a new draft with POST versions/ copying the latest version and its items',
      async () => {
        try {
          const res = await call('a_admin', 'POST', `${S.url}versions/`);
          assert.equal(res.status, 201, res.text);
          const v3 = res.body as SetObject;
          assert.equal(res.headers.get('location'), v3.version.url);
          assert.equal(v3.version.number, 3);
          assert.equal(v3.title, 'Tasman atlas, second edition');
          assert.deepEqual(v3.tags, ['pacific', 'second']);
          assert.deepEqual(v3.items, [LP.url, D.url], 'the items are copied');
          assert.deepEqual((await get<SetObject>('a_admin', v2)).items, [LP.url, D.url], 'the published version keeps its items');
        } finally {
          await dropDraft();
        }
      },
    );

    it(
      'saves a PUT without items on a published set into a new draft that keeps the items',
      async () => {
        try {
          const res = await call('a_admin', 'PUT', S.url, { description: 'Only the description changes.' });
          assert.equal(res.status, 200, res.text);
          assert.equal(res.body.version.number, 3);
          assert.equal(res.body.description, 'Only the description changes.');
          assert.deepEqual(res.body.items, [LP.url, D.url]);
        } finally {
          await dropDraft();
        }
      },
    );

    it('is left with its second version published and no draft', async () => {
      const got = await get<SetObject>('a_admin', S.url);
      assert.equal(got.this_version, v2);
      assert.equal(got.published_version, v2);
      assert.equal(got.latest_version, v2);
      assertError(await call('a_admin', 'GET', `${S.url}versions/draft/`), 404, 'no draft');
    });

    it('refuses to delete the only version of a set, and 404s versions of other sets', async () => {
      const lone = await createSet('a_admin', { title: 'Lone draft', group: groupA });
      assertError(await call('a_admin', 'DELETE', lone.version.url), 409, 'deleting the only version');
      assert.equal((await get<SetObject>('a_admin', lone.url)).this_version, lone.version.url, 'it is still there');
      assertError(await call('a_admin', 'GET', `${S.url}versions/${lone.version.id}/`), 404, "another set's version");
      assertError(await call('a_admin', 'PUT', `${S.url}versions/${lone.version.id}/`, { title: 'x' }), 404, "PUT another set's version");
      assert.equal((await call('a_admin', 'DELETE', lone.url)).status, 204);
      assertError(await call('a_admin', 'GET', lone.url), 404, 'the deleted set');
    });
  });

  describe('item validation', () => {
    it('refuses URLs that are not layers, tables or documents', async () => {
      for (const bad of ['https://example.com/not-an-item', `${server.api}sources/1/`, 'layers/', `${server.api}sets/1/`]) {
        const res = await call('a_admin', 'POST', 'sets/', { title: 'Bad', group: groupA, items: [LP.url, bad] });
        assertBadRequest(res, 'body.items[1]', `item ${bad}`);
      }
      assertBadRequest(await call('a_admin', 'POST', 'sets/', { title: 'Bad', group: groupA, items: [{ href: LP.url }] }), 'body.items[0]', 'an object without url');
    });

    it('refuses an item listed twice', async () => {
      const res = await call('a_admin', 'POST', 'sets/', { title: 'Twice', group: groupA, items: [LP.url, D.url, { url: LP.url }] });
      assertBadRequest(res, 'body.items[2]', 'a duplicate');
    });

    it("refuses someone else's private layer exactly as it refuses a missing one", async () => {
      const hidden = await call('b_editor', 'POST', 'sets/', { title: 'Probe', group: groupB, items: [LA.url] });
      const missing = await call('b_editor', 'POST', 'sets/', { title: 'Probe', group: groupB, items: [`${server.api}layers/${missingLayer}/`] });
      assertBadRequest(hidden, 'body.items[0]', 'a private layer of group A');
      assertBadRequest(missing, 'body.items[0]', 'a missing layer');
      assert.deepEqual(errorShape(hidden, [LA.id]), errorShape(missing, [missingLayer]), 'a hidden layer reads exactly like a missing one');
      // The same for a document, and for a layer given as a table.
      assertBadRequest(await call('b_editor', 'POST', 'sets/', { title: 'Probe', group: groupB, items: [D.url] }), 'body.items[0]', 'a private document');
      assertBadRequest(await call('a_admin', 'POST', 'sets/', { title: 'Probe', group: groupA, items: [`${server.api}tables/${LP.id}/`] }), 'body.items[0]', 'a layer as a table');
      // Group A's own admin may not list group B's private layer either.
      assertBadRequest(await call('a_admin', 'POST', 'sets/', { title: 'Probe', group: groupA, items: [LP.url, LB.url] }), 'body.items[1]', "group B's layer");
      // A public layer of another group is fine.
      const ok = await createSet('b_editor', { title: 'B with a public layer', group: groupB, items: [LP.url, LB.url] });
      assert.deepEqual(ok.items, [LP.url, LB.url]);
      assert.equal((await call('b_editor', 'DELETE', ok.url)).status, 204);
      assert.ok(!(await listIds('b_editor', 'sets/drafts/')).includes(ok.id));
    });

    it('checks items on PUT too, leaving the draft unchanged', async () => {
      const S = await createSet('b_editor', { title: 'B draft', group: groupB, items: [LB.url] });
      assertBadRequest(await call('b_editor', 'PUT', S.url, { items: [LB.url, LA.url] }), 'body.items[1]', 'PUT with a hidden layer');
      assertBadRequest(await call('b_editor', 'PUT', S.url, { items: [LB.url, LB.url] }), 'body.items[1]', 'PUT with a duplicate');
      assertBadRequest(await call('b_editor', 'PUT', S.version.url, { items: ['nonsense'] }), 'body.items[0]', 'PUT on the version with a bad URL');
      const got = await get<SetObject>('b_editor', S.url);
      assert.deepEqual(got.items, [LB.url]);
      assert.equal(got.title, 'B draft');
      assert.equal((await call('b_editor', 'DELETE', S.url)).status, 204);
    });

    it('refuses sets in a group the caller may not edit', async () => {
      const res = await call('b_editor', 'POST', 'sets/', { title: 'In A', group: groupA, items: [LP.url] });
      assertError(res, 403, 'b_editor creating a set in group A');
      const viewer = await call('a_viewer', 'POST', 'sets/', { title: 'Viewer', group: groupA });
      assertError(viewer, 403, 'a viewer of group A creating a set in it');
    });
  });

  describe('what each caller sees', () => {
    let S: SetObject;

    before(async () => {
      S = await createSet('a_admin', {
        title: 'Mixed visibility',
        description: 'A public layer, a private layer and a private document.',
        group: groupA,
        items: [LP.url, LA.url, D.url],
      });
      await publishVersion('a_admin', S.version.url);
      const grant = await call('a_admin', 'POST', `${S.url}permissions/`, { id: `group.${groupB}`, permission: 'view' });
      assert.equal(grant.status, 201, grant.text);
    });

    it('shows group A members every item, as URLs', async () => {
      for (const caller of ['site_admin', 'a_admin', 'a_viewer'] as const) {
        assert.deepEqual((await get<SetObject>(caller, S.url)).items, [LP.url, LA.url, D.url], caller);
      }
    });

    it('shows a group B member given view on the set only the public layer', async () => {
      const got = await get<SetObject>('b_editor', S.url);
      assert.deepEqual(got.items, [LP.url]);
      assert.deepEqual((await get<SetObject>('b_editor', S.version.url)).items, [LP.url], 'through the version URL too');
      assert.ok(!got.items.includes(LA.url) && !got.items.includes(D.url));
    });

    it('expands items into the layer and document objects with Expand: items', async () => {
      const full = await get<SetObject>('a_viewer', S.url, { expand: 'items' });
      const items = full.items as Array<{ url: string; type: string; [key: string]: any }>;
      assert.deepEqual(items.map((i) => i.url), [LP.url, LA.url, D.url]);
      assert.deepEqual(items.map((i) => i.type), ['layer', 'layer', 'document']);
      assert.equal(items[0]!.title, 'New Zealand outline');
      assert.ok(items[0]!.data?.extent, 'a full layer object, with its data');
      assert.equal(items[1]!.title, 'Norway outline');
      assert.equal(items[2]!.media_type, 'application/pdf');
      assert.equal(items[2]!.download_url, `${D.url}download/`);
      assert.deepEqual(items[0], await get('a_viewer', LP.url), 'the same object as GET layers/{id}/');
      assert.deepEqual(items[2], await get('a_viewer', D.url), 'the same object as GET documents/{id}/');

      const limited = await get<SetObject>('b_editor', S.url, { expand: 'items' });
      assert.deepEqual((limited.items as Array<{ url: string }>).map((i) => i.url), [LP.url]);
      assert.equal((limited.items[0] as { title?: unknown }).title, 'New Zealand outline');
    });

    it("takes the old client's Expand: i,t,e,m,s", async () => {
      const full = await get<SetObject>('a_viewer', S.url, { expand: 'i,t,e,m,s' });
      assert.deepEqual((full.items as Array<{ type: string }>).map((i) => i.type), ['layer', 'layer', 'document']);
      const limited = await get<SetObject>('b_editor', S.url, { expand: 'i,t,e,m,s' });
      assert.deepEqual((limited.items as Array<{ url: string }>).map((i) => i.url), [LP.url]);
    });

    it('lists summaries on sets/, and per-caller set objects with Expand: list', async () => {
      const summaries = await get<Array<Record<string, unknown>>>('b_editor', 'sets/');
      assert.deepEqual(summaries.map((s) => s.id), [S.id], 'b_editor sees only the set shared with group B');
      assert.equal(summaries[0]!.url, S.url);
      assert.ok(!('items' in summaries[0]!), 'summaries carry no items');

      const forB = await get<SetObject[]>('b_editor', 'sets/', { expand: 'list' });
      assert.deepEqual(forB.find((s) => s.id === S.id)?.items, [LP.url]);
      const forViewer = await get<SetObject[]>('a_viewer', 'sets/', { expand: 'list' });
      assert.deepEqual(forViewer.find((s) => s.id === S.id)?.items, [LP.url, LA.url, D.url]);
    });

    it('lets a viewer read the set but not change it (403)', async () => {
      for (const caller of ['a_viewer', 'b_editor'] as const) {
        assert.equal((await call(caller, 'GET', S.url)).status, 200, caller);
        assert.equal((await call(caller, 'GET', `${S.url}versions/`)).status, 200, caller);
        assert.equal((await call(caller, 'GET', S.metadata.iso, undefined, { accept: 'application/xml' })).status, 200, caller);
        assertError(await call(caller, 'PUT', S.url, { title: 'Mine now' }), 403, `${caller} PUT`);
        assertError(await call(caller, 'DELETE', S.url), 403, `${caller} DELETE`);
        assertError(await call(caller, 'POST', `${S.url}versions/`), 403, `${caller} POST versions/`);
        assertError(await call(caller, 'PUT', S.version.url, { title: 'Mine now' }), 403, `${caller} PUT version`);
        assertError(await call(caller, 'GET', `${S.url}permissions/`), 403, `${caller} GET permissions/`);
        assertError(
          await call(caller, 'POST', `${S.url}permissions/`, { id: `user.${users.outsider.id}`, permission: 'view' }),
          403,
          `${caller} POST permissions/`,
        );
      }
      assert.equal((await get<SetObject>('a_admin', S.url)).title, 'Mixed visibility');
    });

    it('answers outsiders and anonymous callers 404, like a set that does not exist', async () => {
      const ghost = `${server.api}sets/${S.id + 1000}/`;
      for (const caller of ['outsider', 'anonymous'] as const) {
        for (const [method, suffix, body] of [
          ['GET', '', undefined],
          ['PUT', '', { title: 'x' }],
          ['DELETE', '', undefined],
          ['GET', 'versions/', undefined],
          ['POST', 'versions/', undefined],
          ['GET', `versions/${S.version.id}/`, undefined],
          ['GET', 'versions/published/', undefined],
          ['GET', 'metadata/iso/', undefined],
          ['GET', 'permissions/', undefined],
        ] as const) {
          const res = await call(caller, method, `${S.url}${suffix}`, body);
          const missing = await call(caller, method, `${ghost}${suffix}`, body);
          if (caller === 'anonymous' && (method !== 'GET' || suffix === 'permissions/')) {
            // Writes (and permission lists) need a token at all: the same answer either way.
            assert.equal(res.status, missing.status, `${caller} ${method} ${suffix}: ${res.text} vs ${missing.text}`);
            assert.ok([401, 404].includes(res.status), `${caller} ${method} ${suffix}: ${res.status} ${res.text}`);
            continue;
          }
          assertError(res, 404, `${caller} ${method} sets/{id}/${suffix}`);
          assert.deepEqual(errorShape(res, [S.id]), errorShape(missing, [S.id + 1000]), `${caller} ${method} ${suffix}: hidden reads like missing`);
        }
        assert.ok(!(await listIds(caller, 'sets/')).includes(S.id), `${caller} does not see it in sets/`);
      }
      assert.equal((await get<SetObject>('a_admin', S.url)).title, 'Mixed visibility', 'nothing changed');
    });
  });

  describe('metadata', () => {
    let S: SetObject;

    before(async () => {
      S = await createSet('a_admin', {
        title: 'Atlas & <friends>',
        description: 'Southern and northern outlines.',
        tags: ['outlines'],
        license: ccBy,
        group: groupA,
        items: [LP.url, LA.url, D.url],
      });
    });

    it('serves generated ISO 19139 that validates, as a series with the union of its layers extents', async () => {
      const xml = await getXml('a_admin', `${S.url}metadata/iso/`);
      const problems = xmllint(xml, isoSchema);
      assert.equal(problems, null, `ISO 19139 of a set does not validate:\n${problems}\n${xml}`);
      assert.match(xml, /<gmd:hierarchyLevel>\s*<gmd:MD_ScopeCode [^>]*codeListValue="series"/);
      assert.ok(xml.includes('Atlas &amp; &lt;friends&gt;'), `the escaped title:\n${xml}`);
      assert.ok(xml.includes('Southern and northern outlines.'));
      const want = union(extents.nz, extents.no);
      const got: Bbox = [
        isoDecimals(xml, 'westBoundLongitude')[0]!,
        isoDecimals(xml, 'southBoundLatitude')[0]!,
        isoDecimals(xml, 'eastBoundLongitude')[0]!,
        isoDecimals(xml, 'northBoundLatitude')[0]!,
      ];
      assertBboxClose(got, want, 'ISO bounding box', 1e-3);
      // The version URL serves the same document.
      assert.equal(await getXml('a_admin', `${S.version.url}metadata/iso/`), xml);
      assert.equal(await getXml('a_admin', S.metadata.iso), xml);
    });

    it('serves ISO as the native form until something is uploaded, and Dublin Core of type Collection', async () => {
      assert.equal(await getXml('a_admin', `${S.url}metadata/`), await getXml('a_admin', `${S.url}metadata/iso/`));
      const dc = await getXml('a_admin', `${S.url}metadata/dc/`);
      assert.equal(xmllint(dc, null), null, dc);
      assert.match(dc, /xmlns:dc="http:\/\/purl\.org\/dc\/elements\/1\.1\/"/);
      assert.ok(dc.includes('<dc:title>Atlas &amp; &lt;friends&gt;</dc:title>'), dc);
      assert.ok(dc.includes('<dc:type>Collection</dc:type>'), dc);
      assert.equal(await getXml('a_admin', S.metadata.dc), dc);
    });

    it('stores an uploaded document on the draft and serves it back verbatim', async () => {
      const res = await postXml('a_admin', `${S.url}metadata/`, uploadedDc);
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, { url: S.metadata.native, format: 'dc', warnings: [] });
      assert.equal(res.headers.get('location'), S.metadata.native);
      assert.equal(await getXml('a_admin', S.metadata.native), uploadedDc);
      assert.equal(await getXml('a_admin', `${S.url}metadata/`), uploadedDc);
      assert.equal(await getXml('a_admin', `${S.url}metadata/dc/`), uploadedDc);
      const iso = await getXml('a_admin', `${S.url}metadata/iso/`);
      assert.equal(xmllint(iso, isoSchema), null, `ISO after a DC upload:\n${iso}`);

      // An ISO document is checked against the schemas: its problems are warnings, and it is stored all the same.
      const faulty = iso.replace(/<gco:(Date|DateTime)>[^<]*<\/gco:\1>/, '<gco:$1>not a date</gco:$1>');
      assert.notEqual(faulty, iso);
      const checked = await postXml('a_admin', `${S.url}metadata/`, faulty);
      assert.equal(checked.status, 201, checked.text);
      assert.equal(checked.body.format, 'iso');
      assert.equal(checked.body.warnings.length, 1, checked.text);
      assert.match(checked.body.warnings[0].message, /'not a date' is not a valid value/);
      assert.equal(await getXml('a_admin', S.metadata.native), faulty);
      assert.equal((await postXml('a_admin', `${S.url}metadata/`, uploadedDc)).status, 201);
    });

    it('refuses uploads from viewers (403), malformed XML (400), and onto published versions (409/404)', async () => {
      assertError(await postXml('a_viewer', `${S.url}metadata/`, uploadedDc), 403, 'a viewer uploading');
      assertError(await postXml('outsider', `${S.url}metadata/`, uploadedDc), 404, 'an outsider uploading');
      assert.equal((await postXml('a_admin', `${S.url}metadata/`, '<?xml version="1.0"?><oops>')).status, 400);
      assert.equal((await postXml('a_admin', `${S.url}metadata/`, '<html><body>not metadata</body></html>')).status, 400);
      assert.equal(await getXml('a_admin', `${S.url}metadata/`), uploadedDc, 'refused uploads changed nothing');

      await publishVersion('a_admin', S.version.url);
      assertError(await postXml('a_admin', `${S.url}metadata/`, uploadedDc), 404, 'no draft to upload onto');
      assertError(await postXml('a_admin', S.metadata.native, uploadedDc), 409, 'uploading onto a published version');
      assert.equal(await getXml('a_admin', `${S.url}metadata/`), uploadedDc, 'the published version serves its document');
    });

    it('copies the uploaded document into a new draft, where uploads replace it', async () => {
      const draft = await call('a_admin', 'PUT', S.url, { description: 'Second edition.', items: [LP.url, LA.url, D.url] });
      assert.equal(draft.status, 200, draft.text);
      const v2 = (draft.body as SetObject).version.url;
      assert.notEqual(v2, S.version.url);
      assert.equal(await getXml('a_admin', `${v2}metadata/`), uploadedDc, 'the new draft carries the uploaded document');

      const res = await postXml('a_admin', `${S.url}metadata/`, uploadedDc.replace('uploaded Dublin Core', 'second edition'));
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, { url: `${v2}metadata/`, format: 'dc', warnings: [] });
      assert.ok((await getXml('a_admin', `${v2}metadata/`)).includes('second edition'));
      assert.equal(await getXml('a_admin', `${S.url}metadata/`), uploadedDc, 'the published version is untouched');

      // Through the version's own URL, an ISO document this time.
      const iso = await getXml('a_admin', `${S.version.url}metadata/iso/`);
      const byVersion = await postXml('a_admin', `${v2}metadata/`, iso);
      assert.equal(byVersion.status, 201, byVersion.text);
      assert.equal(byVersion.body.format, 'iso');
      assert.equal(await getXml('a_admin', `${v2}metadata/`), iso);
      assert.equal(await getXml('a_admin', `${v2}metadata/iso/`), iso);
    });

    it('404s metadata of versions that do not exist', async () => {
      assertError(await call('a_admin', 'GET', `${S.url}versions/999999/metadata/iso/`), 404, 'a missing version');
      assertError(await call('a_admin', 'GET', `${server.api}sets/999999/metadata/`), 404, 'a missing set');
    });
  });

  describe('the catalog', () => {
    let S: SetObject;
    const catalog = async (caller: Caller, path: string): Promise<CatalogRow[]> => get<CatalogRow[]>(caller, path);
    const idsIn = async (caller: Caller, path: string) => (await catalog(caller, path)).map((r) => r.id);

    before(async () => {
      S = await createSet('a_admin', {
        title: 'Antipodes collection',
        description: 'Kiwi coastlines beside Scandinavian fjords.',
        tags: ['antipodes'],
        group: groupA,
        items: [LP.url, LA.url, D.url],
      });
    });

    it('shows a draft set in data/latest/ only', async () => {
      assert.ok(!(await idsIn('a_admin', 'data/?type=set')).includes(S.id), 'a draft is not in data/');
      assert.ok(!(await idsIn('a_admin', 'data/?q=antipodes')).includes(S.id), 'nor found by search in data/');
      const latest = await catalog('a_admin', 'data/latest/?type=set');
      const row = latest.find((r) => r.id === S.id);
      assert.ok(row, `the draft is in data/latest/: ${JSON.stringify(latest)}`);
      assert.equal(row.url, S.url);
      assert.equal(row.type, 'set');
      assert.equal(row.published_at, null);
    });

    it('lists it in data/ once published, with the union of its layers extents', async () => {
      await publishVersion('a_admin', S.version.url);
      const rows = await catalog('a_admin', 'data/?type=set');
      const row = rows.find((r) => r.id === S.id);
      assert.ok(row, `published, it is in data/: ${JSON.stringify(rows)}`);
      assert.equal(row.title, 'Antipodes collection');
      assert.ok(row.extent, 'a set with layers has an extent');
      assert.equal(row.extent.type, 'Polygon');
      assertBboxClose(bboxOf(row.extent), union(extents.nz, extents.no), 'catalog extent', 1e-6);
      assert.ok(rows.every((r) => r.type === 'set'), 'type=set gives only sets');
    });

    it('finds it by bbox and by q over title, description and tags', async () => {
      const [w, s, e, n] = extents.nz;
      assert.ok((await idsIn('a_admin', `data/?type=set&bbox=${w},${s},${e},${n}`)).includes(S.id), 'bbox around New Zealand');
      const [nw, ns, ne, nn] = extents.no;
      assert.ok((await idsIn('a_admin', `data/?bbox=${nw},${ns},${ne},${nn}`)).includes(S.id), 'bbox around Norway');
      assert.ok(!(await idsIn('a_admin', 'data/?type=set&bbox=-60,-30,-50,-20')).includes(S.id), 'a bbox in the South Atlantic');
      for (const q of ['antipodes', 'Antipodes collection', 'fjords', 'kiwi']) {
        assert.ok((await idsIn('a_admin', `data/?q=${encodeURIComponent(q)}`)).includes(S.id), `q=${q}`);
      }
      assert.ok(!(await idsIn('a_admin', 'data/?q=savanna')).includes(S.id), 'q=savanna');
    });

    it('shows the published title in data/ and the draft title in data/latest/', async () => {
      const put = await call('a_admin', 'PUT', S.url, { title: 'Antipodes collection, revised', items: [LP.url, LA.url, D.url] });
      assert.equal(put.status, 200, put.text);
      const published = (await catalog('a_admin', 'data/?type=set')).find((r) => r.id === S.id);
      const latest = (await catalog('a_admin', 'data/latest/?type=set')).find((r) => r.id === S.id);
      assert.equal(published?.title, 'Antipodes collection');
      assert.equal(latest?.title, 'Antipodes collection, revised');
      const draftVersion = (put.body as SetObject).version.url;
      assert.equal((await call('a_admin', 'DELETE', draftVersion)).status, 204);
      assert.equal((await catalog('a_admin', 'data/latest/?type=set')).find((r) => r.id === S.id)?.title, 'Antipodes collection');
    });

    it('hides it from outsiders and anonymous callers until group.everyone may view it', async () => {
      for (const caller of ['outsider', 'anonymous'] as const) {
        assert.ok(!(await idsIn(caller, 'data/?type=set')).includes(S.id), `${caller}: not in data/`);
        assertError(await call(caller, 'GET', S.url), 404, `${caller} GET`);
      }
      const grant = await call('a_admin', 'POST', `${S.url}permissions/`, { id: 'group.everyone', permission: 'view' });
      assert.equal(grant.status, 201, grant.text);
      assert.ok((await idsIn('site_admin', 'data/?type=set&public=true')).includes(S.id), 'public=true');

      for (const caller of ['outsider', 'anonymous'] as const) {
        assert.ok((await idsIn(caller, 'data/?type=set')).includes(S.id), `${caller}: in data/ once public`);
        assert.ok((await idsIn(caller, 'data/?q=antipodes')).includes(S.id), `${caller}: found by q`);
        assert.ok((await idsIn(caller, 'sets/')).includes(S.id), `${caller}: in sets/`);
        const got = await get<SetObject>(caller, S.url);
        assert.deepEqual(got.items, [LP.url], `${caller} sees only the public layer`);
        const full = await get<SetObject>(caller, S.url, { expand: 'items' });
        assert.deepEqual((full.items as Array<{ url: string }>).map((i) => i.url), [LP.url]);
        const listed = await get<SetObject[]>(caller, 'data/?type=set', { expand: 'list' });
        assert.deepEqual(listed.find((r) => r.id === S.id)?.items, [LP.url], `${caller}: Expand: list on data/`);
        // The private layer and document stay hidden on their own.
        assertError(await call(caller, 'GET', LA.url), 404, `${caller} GET the private layer`);
        assertError(await call(caller, 'GET', D.url), 404, `${caller} GET the private document`);
        // Reading is not editing.
        const put = await call(caller, 'PUT', S.url, { title: 'Defaced' });
        assert.ok([401, 403].includes(put.status), `${caller} PUT: ${put.status} ${put.text}`);
      }
    });

    it('removes a deleted set from the catalog and leaves its items alone', async () => {
      const del = await call('a_admin', 'DELETE', S.url);
      assert.equal(del.status, 204, del.text);
      assertError(await call('a_admin', 'GET', S.url), 404, 'GET the deleted set');
      assertError(await call('a_admin', 'GET', S.version.url), 404, 'GET a version of the deleted set');
      for (const path of ['data/?type=set', 'data/latest/?type=set', 'data/?q=antipodes', 'sets/', 'sets/drafts/']) {
        assert.ok(!(await idsIn('a_admin', path)).includes(S.id), `not in ${path}`);
        assert.ok(!(await idsIn('anonymous', path.startsWith('sets/drafts') ? 'sets/' : path)).includes(S.id), `anonymous: not in ${path}`);
      }
      assertError(await call('a_admin', 'GET', `${S.url}permissions/`), 404, 'its permissions went with it');
      for (const url of [LP.url, LA.url, D.url]) assert.equal((await call('a_admin', 'GET', url)).status, 200, url);
    });
  });
});
