/**
 * Per-item permissions on layers, tables and sources, through HTTP against a running server
 * with real GDAL: who sees what in every list and detail route (the leak matrix), grants to
 * group.everyone, to users and to groups, who may manage permissions, and bad input.
 *
 * Rules as built: levels view < download < edit < admin. A user's level on an item is the
 * highest of their role in the owning group (admin → admin, editor → edit, viewer → view) and
 * the permissions held by user.<id>, group.<id> of their groups, and group.everyone. Items a
 * caller may not view are 404 and absent from lists and X-Resource-Range totals; visible items
 * they may not act on are 403.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminToken, createUserWithToken, startTestServer, type ApiResponse, type TestServer } from './helpers/server.js';
import { packagedData, part, uploadSource, waitForScan } from './helpers/uploads.js';

const scope = 'layers:read layers:write sources:read sources:write users:read';
const importing = ['queued', 'importing'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Caller = 'site_admin' | 'a_admin' | 'a_viewer' | 'b_editor' | 'outsider' | 'anonymous';
const callers: Caller[] = ['site_admin', 'a_admin', 'a_viewer', 'b_editor', 'outsider', 'anonymous'];

interface UserRef {
  id: number;
  token: string;
  url: string;
}

interface Datasource {
  id: number;
  layer: string;
  upload_path: string;
  data_type: 'vector' | 'table';
}

interface Layer {
  id: number;
  url: string;
  type: 'layer' | 'table';
  title: string;
  version: { id: number; url: string; status: string; number: number };
}

interface Permission {
  id: string;
  url: string;
  permission: string;
  group?: { id: number | string; url?: string };
  user?: { id: number; url: string };
}

function ogr2ogr(args: string[]): void {
  execFileSync('ogr2ogr', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

type Id = number | string;
const byPrincipal = (pairs: Array<[string, string]>) => [...pairs].sort(([a], [b]) => a.localeCompare(b));
const sorted = (ids: Id[]) => [...ids].sort((a, b) => String(a).localeCompare(String(b), 'en', { numeric: true }));

/**
 * A list answer: 200 and exactly these ids; for paged lists, an X-Resource-Range that counts
 * only them. (Permission lists are not paged.)
 */
function assertList(res: ApiResponse, ids: Id[], what: string, idOf: (row: any) => Id = (row) => row.id, paged = true): void {
  assert.equal(res.status, 200, `${what}: ${res.status} ${res.text}`);
  if (paged) assert.equal(res.headers.get('x-resource-range'), `0-${ids.length}/${ids.length}`, `${what}: X-Resource-Range`);
  assert.ok(Array.isArray(res.body), `${what}: expected a JSON array, got ${res.text}`);
  assert.deepEqual(sorted((res.body as unknown[]).map(idOf)), sorted(ids), `${what}: ids`);
}

function assertError(res: ApiResponse, status: number, what: string): void {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text}`);
  const code = { 400: null, 401: 'authentication_required', 403: 'forbidden', 404: 'not_found' }[status as 400 | 401 | 403 | 404];
  if (code) assert.equal(res.body?.code, code, `${what}: error code in ${res.text}`);
}

/** A 400 whose errors name a location starting with `location`. */
function assertBadRequest(res: ApiResponse, location: string, what: string): void {
  assert.equal(res.status, 400, `${what}: expected 400, got ${res.status} ${res.text}`);
  const locations = ((res.body?.errors ?? []) as Array<{ location: string }>).map((e) => e.location);
  assert.ok(
    locations.some((l) => l === location || l.startsWith(`${location}.`) || l.startsWith(`${location}[`)),
    `${what}: expected an error at ${location}, got ${res.text}`,
  );
}

describe('per-item permissions', () => {
  let server: TestServer;
  let work: string;
  let groupA: number;
  let groupB: number;
  const users = {} as Record<'a_admin' | 'a_viewer' | 'b_editor' | 'outsider' | 'gone', UserRef>;
  let SA: number; // upload source of group A: a GeoPackage layer and a CSV table
  let SB: number; // upload source of group B
  let scanA: number;
  let dsA: Datasource[];
  let dsB: Datasource[];
  let LA: Layer; // published layer of group A
  let LB: Layer; // published layer of group B, with a draft
  let TA: Layer; // published table of group A
  let LBdraft: Layer;
  const publishes = {} as Record<'LA' | 'LB' | 'TA', number>;

  const tokenOf = (caller: Caller): string | null => {
    if (caller === 'site_admin') return adminToken;
    if (caller === 'anonymous') return null;
    return users[caller].token;
  };

  const call = (caller: Caller, method: string, path: string, body?: unknown) =>
    server.request(method, path, { token: tokenOf(caller), ...(body !== undefined && { body }) });

  const get = async <T = Layer>(caller: Caller, path: string): Promise<T> => {
    const res = await call(caller, 'GET', path);
    assert.equal(res.status, 200, `${caller} GET ${path}: ${res.status} ${res.text}`);
    return res.body as T;
  };

  const waitForImport = async (caller: Caller, versionUrl: string): Promise<Layer> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const body = await get(caller, versionUrl);
      if (!importing.includes(body.version.status)) return body;
      assert.ok(Date.now() < deadline, `import of ${versionUrl} did not finish in 30 s: ${JSON.stringify(body.version)}`);
      await sleep(75);
    }
  };

  const uploadAndScan = async (caller: 'a_admin' | 'b_editor', title: string, group: number, paths: string[]) => {
    const res = await uploadSource(server, title, paths.map((p) => part(p)), { token: users[caller].token, group });
    assert.equal(res.status, 201, `upload ${title}: ${res.text}`);
    const scan = await waitForScan(server, res.body.id as number, users[caller].token);
    assert.equal(scan.status, 'completed', `scan of ${title}: ${JSON.stringify(scan)}`);
    const list = await call(caller, 'GET', `sources/${res.body.id}/datasources/?page_size=100`);
    assert.equal(list.status, 200, list.text);
    const detailed = await Promise.all(
      (list.body as Array<{ url: string }>).map((d) => get<Datasource>(caller, d.url)),
    );
    return { id: res.body.id as number, scan: scan.id as number, datasources: detailed };
  };

  /** Creates, imports and publishes a layer or table as `caller`. */
  const publishedLayer = async (
    caller: 'a_admin' | 'b_editor',
    collection: 'layers/' | 'tables/',
    body: Record<string, unknown>,
    name: keyof typeof publishes,
  ): Promise<Layer> => {
    const created = await call(caller, 'POST', collection, body);
    assert.equal(created.status, 201, `POST ${collection}: ${created.text}`);
    const imported = await waitForImport(caller, (created.body as Layer).version.url);
    assert.equal(imported.version.status, 'ok', `import: ${JSON.stringify(imported.version)}`);
    const publish = await call(caller, 'POST', `${imported.version.url}publish/`, {});
    assert.equal(publish.status, 201, `publish: ${publish.text}`);
    publishes[name] = publish.body.id;
    const deadline = Date.now() + 30_000;
    let state = publish.body.state as string;
    while (state === 'pending' || state === 'publishing') {
      assert.ok(Date.now() < deadline, 'publish did not finish in 30 s');
      await sleep(75);
      state = (await get<{ state: string }>(caller, publish.body.url)).state;
    }
    assert.equal(state, 'completed');
    const layer = await get(caller, (created.body as Layer).url);
    assert.equal(layer.version.id, imported.version.id, 'the layer shows its published version');
    return layer;
  };

  const permissionsOf = async (collection: string, id: number): Promise<Array<[string, string]>> => {
    const list = await get<Permission[]>('site_admin', `${collection}/${id}/permissions/`);
    return byPrincipal(list.map((p) => [p.id, p.permission] as [string, string]));
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-permissions-'));
    const gpkgA = join(work, 'us.gpkg');
    ogr2ogr(['-f', 'GPKG', '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON', gpkgA, packagedData('us-atlas/states-10m.json'), 'states']);
    const csvA = join(work, 'state_names.csv');
    ogr2ogr(['-f', 'CSV', csvA, packagedData('us-atlas/states-10m.json'), 'states']);
    const gpkgB = join(work, 'world.gpkg');
    ogr2ogr(['-f', 'GPKG', '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON', gpkgB, packagedData('world-atlas/countries-110m.json'), 'countries']);

    server = await startTestServer();
    const a = await server.request('POST', 'groups/', { body: { name: 'Group A' } });
    const b = await server.request('POST', 'groups/', { body: { name: 'Group B' } });
    assert.equal(a.status, 201, a.text);
    assert.equal(b.status, 201, b.text);
    groupA = a.body.id;
    groupB = b.body.id;

    for (const name of ['a_admin', 'a_viewer', 'b_editor', 'outsider', 'gone'] as const) {
      users[name] = await createUserWithToken(server, name, scope);
    }
    for (const [group, user, role] of [
      [groupA, users.a_admin.id, 'admin'],
      [groupA, users.a_viewer.id, 'viewer'],
      [groupB, users.b_editor.id, 'editor'],
    ] as const) {
      const member = await server.request('POST', `groups/${group}/members/`, { body: { user, role } });
      assert.equal(member.status, 201, member.text);
    }
    // A deactivated user, who may not be granted anything.
    const gone = await server.request('DELETE', `users/${users.gone.id}/`);
    assert.ok([200, 204].includes(gone.status), `deactivating a user: ${gone.status} ${gone.text}`);

    const [sourceA, sourceB] = await Promise.all([
      uploadAndScan('a_admin', 'Group A data', groupA, [gpkgA, csvA]),
      uploadAndScan('b_editor', 'Group B data', groupB, [gpkgB]),
    ]);
    SA = sourceA.id;
    scanA = sourceA.scan;
    SB = sourceB.id;
    dsA = sourceA.datasources;
    dsB = sourceB.datasources;
    const statesDs = dsA.find((d) => d.data_type === 'vector' && d.layer === 'states');
    const tableDs = dsA.find((d) => d.data_type === 'table');
    const countriesDs = dsB.find((d) => d.data_type === 'vector' && d.layer === 'countries');
    assert.ok(statesDs && tableDs, `group A datasources: ${JSON.stringify(dsA)}`);
    assert.ok(countriesDs, `group B datasources: ${JSON.stringify(dsB)}`);

    [LA, LB, TA] = await Promise.all([
      publishedLayer('a_admin', 'layers/', { title: 'A states', group: groupA, data: { datasources: [statesDs.id] } }, 'LA'),
      publishedLayer('b_editor', 'layers/', { title: 'B countries', group: groupB, data: { datasources: [countriesDs.id] } }, 'LB'),
      publishedLayer('a_admin', 'tables/', { title: 'A state names', group: groupA, data: { datasources: [tableDs.id] } }, 'TA'),
    ]);
    // LB gets a draft, so the drafts list has something to hide.
    const draft = await call('b_editor', 'POST', `layers/${LB.id}/versions/`);
    assert.equal(draft.status, 201, draft.text);
    LBdraft = draft.body as Layer;
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('the leak matrix: every list and detail route, for every caller', () => {
    /**
     * An expectation: a list of ids (200, exactly those, counted in X-Resource-Range), or a status.
     * `ghost` is the same route for an item that does not exist: a 404 for a hidden item must
     * read just like it, so the answer does not tell "hidden" from "missing".
     */
    type Expect = Id[] | 200 | 401 | 403 | 404;
    interface Row {
      route: string;
      method: 'GET' | 'HEAD';
      path: () => string;
      ghost?: () => string;
      idOf?: (row: any) => Id;
      /** Permission lists have no paging headers. */
      paged?: boolean;
      /** For a 200 detail: checks the body. */
      detail?: (res: ApiResponse) => void;
      expect: Record<Caller, Expect>;
    }
    const everyoneButAnonymous = (expect: Omit<Record<Caller, Expect>, 'anonymous'>): Record<Caller, Expect> => ({ ...expect, anonymous: 401 });
    const missing = 999_999;

    const matrix = (): Row[] => {
      const LAv = LA.version.id;
      const layerDetail = (id: number) => (res: ApiResponse) => assert.equal(res.body.id, id);
      const all = { site_admin: 200, a_admin: 200, a_viewer: 200 } as const;
      return [
        {
          route: 'GET layers/',
          method: 'GET',
          path: () => 'layers/',
          // layers/ lists tables too, as Koordinates' Layers & Tables API does.
          expect: { site_admin: [LA.id, LB.id, TA.id], a_admin: [LA.id, TA.id], a_viewer: [LA.id, TA.id], b_editor: [LB.id], outsider: [], anonymous: [] },
        },
        {
          route: 'HEAD layers/',
          method: 'HEAD',
          path: () => 'layers/',
          expect: { site_admin: [LA.id, LB.id, TA.id], a_admin: [LA.id, TA.id], a_viewer: [LA.id, TA.id], b_editor: [LB.id], outsider: [], anonymous: [] },
        },
        {
          route: 'GET layers/drafts/',
          method: 'GET',
          path: () => 'layers/drafts/',
          expect: { site_admin: [LB.id], a_admin: [], a_viewer: [], b_editor: [LB.id], outsider: [], anonymous: [] },
        },
        {
          route: 'GET tables/',
          method: 'GET',
          path: () => 'tables/',
          expect: { site_admin: [TA.id], a_admin: [TA.id], a_viewer: [TA.id], b_editor: [], outsider: [], anonymous: [] },
        },
        {
          route: 'HEAD tables/',
          method: 'HEAD',
          path: () => 'tables/',
          expect: { site_admin: [TA.id], a_admin: [TA.id], a_viewer: [TA.id], b_editor: [], outsider: [], anonymous: [] },
        },
        {
          route: 'GET sources/',
          method: 'GET',
          path: () => 'sources/',
          expect: everyoneButAnonymous({ site_admin: [SA, SB], a_admin: [SA], a_viewer: [SA], b_editor: [SB], outsider: [] }),
        },
        {
          route: 'GET layers/{LA}/',
          method: 'GET',
          path: () => `layers/${LA.id}/`,
          ghost: () => `layers/${missing}/`,
          detail: layerDetail(LA.id),
          expect: { ...all, b_editor: 404, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET layers/{LB}/',
          method: 'GET',
          path: () => `layers/${LB.id}/`,
          ghost: () => `layers/${missing}/`,
          detail: layerDetail(LB.id),
          expect: { site_admin: 200, a_admin: 404, a_viewer: 404, b_editor: 200, outsider: 404, anonymous: 404 },
        },
        {
          route: 'HEAD layers/{LB}/',
          method: 'HEAD',
          path: () => `layers/${LB.id}/`,
          ghost: () => `layers/${missing}/`,
          expect: { site_admin: 200, a_admin: 404, a_viewer: 404, b_editor: 200, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET layers/{TA}/ (a table under /layers/)',
          method: 'GET',
          path: () => `layers/${TA.id}/`,
          ghost: () => `layers/${missing}/`,
          detail: layerDetail(TA.id),
          // layers/ reaches tables (Koordinates' Layers & Tables API), under the same access rules.
          expect: { ...all, b_editor: 404, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET layers/{LA}/versions/',
          method: 'GET',
          path: () => `layers/${LA.id}/versions/`,
          ghost: () => `layers/${missing}/versions/`,
          idOf: (row) => row.version.id,
          expect: { site_admin: [LAv], a_admin: [LAv], a_viewer: [LAv], b_editor: 404, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET layers/{LB}/versions/',
          method: 'GET',
          path: () => `layers/${LB.id}/versions/`,
          ghost: () => `layers/${missing}/versions/`,
          idOf: (row) => row.version.id,
          expect: {
            site_admin: [LB.version.id, LBdraft.version.id],
            a_admin: 404,
            a_viewer: 404,
            b_editor: [LB.version.id, LBdraft.version.id],
            outsider: 404,
            anonymous: 404,
          },
        },
        {
          route: 'GET layers/{LA}/versions/{v}/',
          method: 'GET',
          path: () => `layers/${LA.id}/versions/${LAv}/`,
          ghost: () => `layers/${missing}/versions/${LAv}/`,
          detail: (res) => assert.equal(res.body.version.id, LAv),
          expect: { ...all, b_editor: 404, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET layers/{LA}/versions/published/',
          method: 'GET',
          path: () => `layers/${LA.id}/versions/published/`,
          ghost: () => `layers/${missing}/versions/published/`,
          detail: (res) => assert.equal(res.body.version.id, LAv),
          expect: { ...all, b_editor: 404, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET layers/{LB}/versions/draft/',
          method: 'GET',
          path: () => `layers/${LB.id}/versions/draft/`,
          ghost: () => `layers/${missing}/versions/draft/`,
          detail: (res) => assert.equal(res.body.version.id, LBdraft.version.id),
          expect: { site_admin: 200, a_admin: 404, a_viewer: 404, b_editor: 200, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET layers/{LA}/versions/{a version of LB}/',
          method: 'GET',
          path: () => `layers/${LA.id}/versions/${LB.version.id}/`,
          ghost: () => `layers/${LA.id}/versions/${missing}/`,
          expect: { site_admin: 404, a_admin: 404, a_viewer: 404, b_editor: 404, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET layers/{LB}/versions/{v}/import-log/',
          method: 'GET',
          path: () => `layers/${LB.id}/versions/${LB.version.id}/import-log/`,
          ghost: () => `layers/${missing}/versions/${LB.version.id}/import-log/`,
          expect: { site_admin: 200, a_admin: 404, a_viewer: 404, b_editor: 200, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET layers/{LA}/versions/{v}/metadata/iso/',
          method: 'GET',
          path: () => `layers/${LA.id}/versions/${LAv}/metadata/iso/`,
          ghost: () => `layers/${missing}/versions/${LAv}/metadata/iso/`,
          detail: (res) => {
            assert.match(res.headers.get('content-type') ?? '', /xml/);
            assert.match(res.text, /MD_Metadata/);
            assert.ok(res.text.includes('A states'), 'the ISO record carries the title');
          },
          expect: { ...all, b_editor: 404, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET layers/{LA}/permissions/',
          method: 'GET',
          path: () => `layers/${LA.id}/permissions/`,
          ghost: () => `layers/${missing}/permissions/`,
          paged: false,
          expect: { site_admin: [], a_admin: [], a_viewer: 403, b_editor: 404, outsider: 404, anonymous: 401 },
        },
        {
          route: 'GET layers/{LA}/permissions/group.everyone/ (not held)',
          method: 'GET',
          path: () => `layers/${LA.id}/permissions/group.everyone/`,
          ghost: () => `layers/${missing}/permissions/group.everyone/`,
          expect: { site_admin: 404, a_admin: 404, a_viewer: 403, b_editor: 404, outsider: 404, anonymous: 401 },
        },
        {
          route: 'GET publish/ (each caller sees the requests they made)',
          method: 'GET',
          path: () => 'publish/',
          expect: everyoneButAnonymous({
            site_admin: [publishes.LA, publishes.LB, publishes.TA],
            a_admin: [publishes.LA, publishes.TA],
            a_viewer: [],
            b_editor: [publishes.LB],
            outsider: [],
          }),
        },
        {
          route: 'GET publish/{LB publish}/',
          method: 'GET',
          path: () => `publish/${publishes.LB}/`,
          ghost: () => `publish/${missing}/`,
          expect: everyoneButAnonymous({ site_admin: 200, a_admin: 404, a_viewer: 404, b_editor: 200, outsider: 404 }),
        },
        {
          route: 'GET tables/{TA}/',
          method: 'GET',
          path: () => `tables/${TA.id}/`,
          ghost: () => `tables/${missing}/`,
          detail: layerDetail(TA.id),
          expect: { ...all, b_editor: 404, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET tables/{TA}/versions/',
          method: 'GET',
          path: () => `tables/${TA.id}/versions/`,
          ghost: () => `tables/${missing}/versions/`,
          idOf: (row) => row.version.id,
          expect: { site_admin: [TA.version.id], a_admin: [TA.version.id], a_viewer: [TA.version.id], b_editor: 404, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET sources/{SA}/',
          method: 'GET',
          path: () => `sources/${SA}/`,
          ghost: () => `sources/${missing}/`,
          detail: (res) => assert.equal(res.body.id, SA),
          expect: everyoneButAnonymous({ ...all, b_editor: 404, outsider: 404 }),
        },
        {
          route: 'GET sources/{SB}/',
          method: 'GET',
          path: () => `sources/${SB}/`,
          ghost: () => `sources/${missing}/`,
          detail: (res) => assert.equal(res.body.id, SB),
          expect: everyoneButAnonymous({ site_admin: 200, a_admin: 404, a_viewer: 404, b_editor: 200, outsider: 404 }),
        },
        {
          route: 'GET sources/{SA}/datasources/',
          method: 'GET',
          path: () => `sources/${SA}/datasources/`,
          ghost: () => `sources/${missing}/datasources/`,
          expect: everyoneButAnonymous({
            site_admin: dsA.map((d) => d.id),
            a_admin: dsA.map((d) => d.id),
            a_viewer: dsA.map((d) => d.id),
            b_editor: 404,
            outsider: 404,
          }),
        },
        {
          route: 'GET sources/{SA}/scans/',
          method: 'GET',
          path: () => `sources/${SA}/scans/`,
          ghost: () => `sources/${missing}/scans/`,
          expect: everyoneButAnonymous({ site_admin: [scanA], a_admin: [scanA], a_viewer: [scanA], b_editor: 404, outsider: 404 }),
        },
        {
          route: 'GET sources/{SA}/permissions/',
          method: 'GET',
          path: () => `sources/${SA}/permissions/`,
          ghost: () => `sources/${missing}/permissions/`,
          paged: false,
          expect: everyoneButAnonymous({ site_admin: [], a_admin: [], a_viewer: 403, b_editor: 404, outsider: 404 }),
        },
      ];
    };

    /** Hidden and missing items must answer alike; only the id in the message may differ. */
    const sameAsMissing = (hidden: ApiResponse, ghost: ApiResponse, what: string) => {
      const shape = (res: ApiResponse) => ({ status: res.status, code: res.body?.code, message: String(res.body?.message ?? '').replace(/\d+/g, 'N') });
      assert.deepEqual(shape(hidden), shape(ghost), `${what}: a hidden item reads differently from a missing one`);
    };

    it('answers each caller with exactly what they may see, and nothing of the rest', async () => {
      const failures: string[] = [];
      let checked = 0;
      for (const row of matrix()) {
        for (const caller of callers) {
          const expected = row.expect[caller];
          const what = `${caller} ${row.route}`;
          try {
            const res = await call(caller, row.method, row.path());
            if (Array.isArray(expected)) {
              if (row.method === 'HEAD') {
                assert.equal(res.status, 200, `${what}: ${res.status}`);
                assert.equal(res.text, '', `${what}: HEAD has no body`);
                assert.equal(res.headers.get('x-resource-range'), `0-${expected.length}/${expected.length}`, `${what}: X-Resource-Range`);
              } else assertList(res, expected, what, row.idOf, row.paged ?? true);
            } else if (expected === 200) {
              assert.equal(res.status, 200, `${what}: ${res.status} ${res.text}`);
              row.detail?.(res);
            } else if (row.method === 'HEAD') {
              assert.equal(res.status, expected, `${what}: expected ${expected}, got ${res.status}`);
              if (expected === 404 && row.ghost) sameAsMissing(res, await call(caller, row.method, row.ghost()), what);
            } else {
              assertError(res, expected, what);
              if (expected === 404 && row.ghost) sameAsMissing(res, await call(caller, row.method, row.ghost()), what);
            }
            checked++;
          } catch (error) {
            failures.push((error as Error).message.split('\n')[0]!);
          }
        }
      }
      assert.deepEqual(failures, [], `${failures.length} of ${checked + failures.length} matrix cells failed`);
    });

    it("refuses another group's datasource exactly as a missing one when creating a layer", async () => {
      const statesDs = dsA.find((d) => d.data_type === 'vector')!;
      const hidden = await call('b_editor', 'POST', 'layers/', { title: 'Probe', group: groupB, data: { datasources: [statesDs.id] } });
      const ghost = await call('b_editor', 'POST', 'layers/', { title: 'Probe', group: groupB, data: { datasources: [missing] } });
      assertBadRequest(hidden, 'body.data.datasources[0]', "b_editor using group A's datasource");
      assertBadRequest(ghost, 'body.data.datasources[0]', 'b_editor using a missing datasource');
      const shape = (res: ApiResponse) => JSON.stringify({ ...res.body, request_id: undefined }).replace(/\d+/g, 'N');
      assert.equal(shape(hidden), shape(ghost));
      assertList(await call('site_admin', 'GET', 'layers/drafts/'), [LB.id], 'no layer was made');
    });

    it('counts only visible items on every page (page_size=1)', async () => {
      for (const caller of callers) {
        const res = await call(caller, 'GET', 'layers/?page_size=1');
        // layers/ lists tables too (TA is group A's).
        const visible = { site_admin: 3, a_admin: 2, a_viewer: 2, b_editor: 1, outsider: 0, anonymous: 0 }[caller];
        assert.equal(res.status, 200, `${caller}: ${res.text}`);
        assert.equal(res.headers.get('x-resource-range'), `0-${Math.min(1, visible)}/${visible}`, caller);
        const page2 = await call(caller, 'GET', 'layers/?page_size=1&page=2');
        assert.equal(page2.status, visible >= 2 ? 200 : 404, `${caller} page 2: ${page2.status} ${page2.text}`);
      }
    });
  });

  describe('the permissions relation', () => {
    // data-api.md, Resources: a layer object's fields end in `permissions`, a URL clients follow.
    it('links each layer and table to its permissions list', async () => {
      for (const [collection, item] of [
        ['layers', LA],
        ['tables', TA],
      ] as const) {
        const body = (await get<Record<string, unknown>>('a_admin', `${collection}/${item.id}/`)) as { permissions?: unknown };
        assert.equal(body.permissions, `${server.api}${collection}/${item.id}/permissions/`, `${collection}/${item.id}/ has a permissions URL`);
        const followed = await call('a_admin', 'GET', body.permissions as string);
        assert.equal(followed.status, 200, followed.text);
      }
    });
  });

  describe('group.everyone', () => {
    it('grants view on LA by id: 201 with Location; anonymous callers and outsiders then see it', async () => {
      const res = await call('a_admin', 'POST', `layers/${LA.id}/permissions/`, { id: 'group.everyone', permission: 'view' });
      assert.equal(res.status, 201, res.text);
      const expectedUrl = `${server.api}layers/${LA.id}/permissions/group.everyone/`;
      assert.equal(res.headers.get('location'), expectedUrl);
      assert.equal(res.body.url, expectedUrl);
      assert.equal(res.body.id, 'group.everyone');
      assert.equal(res.body.permission, 'view');
      assert.equal(res.body.group?.id, 'everyone');

      const followed = await call('a_admin', 'GET', res.headers.get('location')!);
      assert.equal(followed.status, 200, followed.text);
      assert.deepEqual(followed.body, res.body);

      for (const caller of ['anonymous', 'outsider'] as const) {
        assertList(await call(caller, 'GET', 'layers/'), [LA.id], `${caller} layers/`);
        const head = await call(caller, 'HEAD', 'layers/');
        assert.equal(head.headers.get('x-resource-range'), '0-1/1', `${caller} HEAD layers/`);
        assert.equal((await get(caller, `layers/${LA.id}/`)).id, LA.id);
        assert.equal((await get(caller, `layers/${LA.id}/versions/${LA.version.id}/`)).version.id, LA.version.id);
        assertList(await call(caller, 'GET', `layers/${LA.id}/versions/`), [LA.version.id], `${caller} versions/`, (r) => r.version.id);
        const iso = await call(caller, 'GET', `layers/${LA.id}/versions/${LA.version.id}/metadata/iso/`);
        assert.equal(iso.status, 200, `${caller} metadata/iso/: ${iso.text}`);
        assert.match(iso.text, /MD_Metadata/);
        const dc = await call(caller, 'GET', `layers/${LA.id}/versions/${LA.version.id}/metadata/dc/`);
        assert.equal(dc.status, 200, `${caller} metadata/dc/: ${dc.text}`);
        // The rest stays hidden.
        assertError(await call(caller, 'GET', `layers/${LB.id}/`), 404, `${caller} LB`);
        assertList(await call(caller, 'GET', 'tables/'), [], `${caller} tables/`);
        assertError(await call(caller, 'GET', `tables/${TA.id}/`), 404, `${caller} TA`);
        // Viewing is not editing.
        assertError(await call(caller, 'POST', `layers/${LA.id}/versions/`), caller === 'anonymous' ? 401 : 403, `${caller} POST versions/`);
      }
      // LA is visible to the outsider now, so refusing its permissions is a 403, not a 404.
      assertError(await call('outsider', 'GET', `layers/${LA.id}/permissions/`), 403, 'outsider permissions/');
      assertError(await call('anonymous', 'GET', `layers/${LA.id}/permissions/`), 401, 'anonymous permissions/');
      // b_editor sees both layers now.
      assertList(await call('b_editor', 'GET', 'layers/'), [LA.id, LB.id], 'b_editor layers/');
      // A public layer's source stays private.
      assertError(await call('outsider', 'GET', `sources/${SA}/`), 404, 'outsider SA');
    });

    it('takes the group form {"group": "everyone"} too, changing the level in place', async () => {
      const res = await call('a_admin', 'POST', `layers/${LA.id}/permissions/`, { group: 'everyone', permission: 'download' });
      assert.ok([200, 201].includes(res.status), res.text);
      assert.equal(res.body.id, 'group.everyone');
      assert.equal(res.body.permission, 'download');
      if (res.status === 201) assert.equal(res.headers.get('location'), `${server.api}layers/${LA.id}/permissions/group.everyone/`);
      assert.deepEqual(await permissionsOf('layers', LA.id), [['group.everyone', 'download']]);

      const back = await call('a_admin', 'POST', `layers/${LA.id}/permissions/`, { group: 'everyone', permission: 'view' });
      assert.ok([200, 201].includes(back.status), back.text);
      assert.deepEqual(await permissionsOf('layers', LA.id), [['group.everyone', 'view']]);
      assertList(await call('anonymous', 'GET', 'layers/'), [LA.id], 'anonymous layers/');
    });
  });

  describe('user.<id> grants', () => {
    it("lets a user with edit make and edit a draft, but not manage permissions", async () => {
      const grant = await call('a_admin', 'POST', `layers/${LA.id}/permissions/`, { id: `user.${users.outsider.id}`, permission: 'edit' });
      assert.equal(grant.status, 201, grant.text);
      assert.equal(grant.headers.get('location'), `${server.api}layers/${LA.id}/permissions/user.${users.outsider.id}/`);
      assert.equal(grant.body.user?.id, users.outsider.id);
      assert.equal(grant.body.permission, 'edit');

      const draft = await call('outsider', 'POST', `layers/${LA.id}/versions/`);
      assert.equal(draft.status, 201, draft.text);
      const version = draft.body as Layer;
      const edited = await call('outsider', 'PUT', version.version.url, { title: 'Edited by the outsider' });
      assert.equal(edited.status, 200, edited.text);
      assert.equal(edited.body.title, 'Edited by the outsider');
      assert.equal((await get('a_admin', `layers/${LA.id}/versions/draft/`)).title, 'Edited by the outsider');
      // The drafts list shows LA's draft to the outsider, who may edit it. LA is public, but a
      // draft is for those who may edit: group B's editor sees only their own LB.
      assertList(await call('outsider', 'GET', 'layers/drafts/'), [LA.id], 'outsider drafts/');
      assertList(await call('b_editor', 'GET', 'layers/drafts/'), [LB.id], 'b_editor drafts/');
      assertError(await call('b_editor', 'GET', `layers/${LA.id}/versions/draft/`), 404, "b_editor GET LA's draft");

      assertError(await call('outsider', 'GET', `layers/${LA.id}/permissions/`), 403, 'outsider GET permissions/ with edit');
      assertError(
        await call('outsider', 'GET', `layers/${LA.id}/permissions/user.${users.outsider.id}/`),
        403,
        'outsider GET one permission with edit',
      );
      assertError(
        await call('outsider', 'POST', `layers/${LA.id}/permissions/`, { id: `user.${users.outsider.id}`, permission: 'admin' }),
        403,
        'outsider raising their own level',
      );
      // Edit on LA is nothing on LB or TA.
      assertError(await call('outsider', 'POST', `layers/${LB.id}/versions/`), 404, 'outsider POST LB versions/');
      assertError(await call('outsider', 'GET', `tables/${TA.id}/`), 404, 'outsider TA');
      assert.deepEqual(await permissionsOf('layers', LA.id), byPrincipal([
        ['group.everyone', 'view'],
        [`user.${users.outsider.id}`, 'edit'],
      ]));
    });

    it('lets a user with admin manage permissions (granted with the {"user": url} form)', async () => {
      const grant = await call('a_admin', 'POST', `layers/${LA.id}/permissions/`, { user: users.outsider.url, permission: 'admin' });
      assert.ok([200, 201].includes(grant.status), grant.text);
      assert.equal(grant.body.id, `user.${users.outsider.id}`);
      assert.equal(grant.body.permission, 'admin');

      const list = await call('outsider', 'GET', `layers/${LA.id}/permissions/`);
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(
        byPrincipal((list.body as Permission[]).map((p) => [p.id, p.permission])),
        byPrincipal([
          ['group.everyone', 'view'],
          [`user.${users.outsider.id}`, 'admin'],
        ]),
      );
      const one = await call('outsider', 'GET', `layers/${LA.id}/permissions/user.${users.outsider.id}/`);
      assert.equal(one.status, 200, one.text);
      assert.equal(one.body.permission, 'admin');
      // Still nothing on items they hold nothing on.
      assertError(await call('outsider', 'GET', `layers/${LB.id}/permissions/`), 404, 'outsider LB permissions/');
      assertError(await call('outsider', 'GET', `tables/${TA.id}/permissions/`), 404, 'outsider TA permissions/');
    });
  });

  describe('group.<id> grants', () => {
    it('grants group B view on TA ({"group": id}); its members then see it, and only view it', async () => {
      assertList(await call('b_editor', 'GET', 'tables/'), [], 'b_editor tables/ before');
      const res = await call('a_admin', 'POST', `tables/${TA.id}/permissions/`, { group: groupB, permission: 'view' });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.headers.get('location'), `${server.api}tables/${TA.id}/permissions/group.${groupB}/`);
      assert.equal(res.body.id, `group.${groupB}`);
      assert.equal(res.body.group?.id, groupB);

      assertList(await call('b_editor', 'GET', 'tables/'), [TA.id], 'b_editor tables/');
      const head = await call('b_editor', 'HEAD', 'tables/');
      assert.equal(head.headers.get('x-resource-range'), '0-1/1');
      assert.equal((await get('b_editor', `tables/${TA.id}/`)).id, TA.id);
      assertList(await call('b_editor', 'GET', `tables/${TA.id}/versions/`), [TA.version.id], 'b_editor TA versions/', (r) => r.version.id);
      // Editor of group B, but only a viewer of TA.
      assertError(await call('b_editor', 'POST', `tables/${TA.id}/versions/`), 403, 'b_editor POST TA versions/');
      assertError(await call('b_editor', 'GET', `tables/${TA.id}/permissions/`), 403, 'b_editor TA permissions/');
      // Nobody else gained anything.
      assertList(await call('outsider', 'GET', 'tables/'), [], 'outsider tables/');
      assertList(await call('anonymous', 'GET', 'tables/'), [], 'anonymous tables/');
      assertError(await call('outsider', 'GET', `tables/${TA.id}/`), 404, 'outsider TA');
    });
  });

  describe('a viewer of the owning group', () => {
    it('reads, but may not list or grant permissions, nor edit', async () => {
      assert.equal((await get('a_viewer', `layers/${LA.id}/`)).id, LA.id);
      assertError(await call('a_viewer', 'GET', `layers/${LA.id}/permissions/`), 403, 'a_viewer GET permissions/');
      assertError(await call('a_viewer', 'GET', `layers/${LA.id}/permissions/group.everyone/`), 403, 'a_viewer GET one permission');
      assertError(
        await call('a_viewer', 'POST', `layers/${LA.id}/permissions/`, { id: `user.${users.a_viewer.id}`, permission: 'admin' }),
        403,
        'a_viewer POST permission',
      );
      assertError(await call('a_viewer', 'PUT', `layers/${LA.id}/permissions/`, []), 403, 'a_viewer PUT permissions');
      assertError(await call('a_viewer', 'POST', `tables/${TA.id}/versions/`), 403, 'a_viewer POST TA versions/');
      assertError(await call('a_viewer', 'POST', `layers/${LA.id}/versions/`), 403, 'a_viewer POST LA versions/');
      // A viewer doesn't see drafts at all; acting on one by URL is forbidden, since they know the layer.
      assertError(await call('a_viewer', 'GET', `layers/${LA.id}/versions/draft/`), 404, 'a_viewer GET draft');
      const draft = await get('a_admin', `layers/${LA.id}/versions/draft/`);
      assertError(await call('a_viewer', 'PUT', draft.version.url, { title: 'Viewer edit' }), 403, 'a_viewer PUT draft');
      assertError(await call('a_viewer', 'POST', `${draft.version.url}publish/`, {}), 403, 'a_viewer publish');
      assertError(await call('a_viewer', 'POST', `sources/${SA}/permissions/`, { id: 'group.everyone', permission: 'view' }), 403, 'a_viewer SA');
      assert.deepEqual(await permissionsOf('layers', LA.id), byPrincipal([
        ['group.everyone', 'view'],
        [`user.${users.outsider.id}`, 'admin'],
      ]));
      assert.equal((await get('a_admin', `layers/${LA.id}/versions/draft/`)).title, 'Edited by the outsider');
    });
  });

  describe('bad input', () => {
    it('refuses bad principals and levels with 400 and changes nothing', async () => {
      const before = await permissionsOf('layers', LA.id);
      const path = `layers/${LA.id}/permissions/`;
      const cases: Array<[string, unknown, string]> = [
        ['group.everyone with edit', { id: 'group.everyone', permission: 'edit' }, 'body'],
        ['group.everyone with admin', { id: 'group.everyone', permission: 'admin' }, 'body'],
        ['the group form of everyone with edit', { group: 'everyone', permission: 'edit' }, 'body'],
        ['an unknown principal kind', { id: 'team.1', permission: 'view' }, 'body'],
        ['a principal with no id', { id: 'user.', permission: 'view' }, 'body'],
        ['a principal with a name, not an id', { id: 'group.admins', permission: 'view' }, 'body'],
        ['a nonexistent group', { id: 'group.999999', permission: 'view' }, 'body'],
        ['a nonexistent user', { id: 'user.999999', permission: 'view' }, 'body'],
        ['a nonexistent group, by the group form', { group: 999999, permission: 'view' }, 'body'],
        ['a nonexistent user, by the user form', { user: 999999, permission: 'view' }, 'body'],
        ['a deactivated user', { id: `user.${users.gone.id}`, permission: 'view' }, 'body'],
        ['a bad user reference', { user: 'somebody', permission: 'view' }, 'body.user'],
        ['a bad level', { id: 'group.everyone', permission: 'owner' }, 'body.permission'],
        ['no level', { id: 'group.everyone' }, 'body.permission'],
        ['no principal', { permission: 'view' }, 'body'],
        ['an unknown field', { id: 'group.everyone', permission: 'view', colour: 'red' }, 'body'],
      ];
      for (const [what, body, location] of cases) {
        assertBadRequest(await call('a_admin', 'POST', path, body), location, `${what} (${JSON.stringify(body)})`);
      }
      // A list with one bad entry is refused whole.
      const put = await call('a_admin', 'PUT', path, [
        { id: `group.${groupB}`, permission: 'view' },
        { id: 'group.everyone', permission: 'edit' },
      ]);
      assertBadRequest(put, 'body[1]', 'PUT with a bad second entry');
      assertBadRequest(await call('a_admin', 'PUT', path, { id: 'group.everyone', permission: 'view' }), 'body', 'PUT with an object');
      assert.deepEqual(await permissionsOf('layers', LA.id), before, 'refused requests changed nothing');
      // Group B holds view on the table TA since the group grant, and layers/ lists tables too.
      assertList(await call('b_editor', 'GET', 'layers/'), [LA.id, LB.id, TA.id], 'b_editor layers/');
    });
  });

  describe('PUT …/permissions/ and one permission', () => {
    it('replaces the whole list, and GET …/permissions/{principal}/ finds one or 404', async () => {
      const path = `layers/${LA.id}/permissions/`;
      const replaced = await call('a_admin', 'PUT', path, [
        { id: 'group.everyone', permission: 'download' },
        { group: groupB, permission: 'view' },
      ]);
      assert.equal(replaced.status, 200, replaced.text);
      assert.deepEqual(
        byPrincipal((replaced.body as Permission[]).map((p) => [p.id, p.permission])),
        byPrincipal([
          ['group.everyone', 'download'],
          [`group.${groupB}`, 'view'],
        ]),
      );
      assert.deepEqual(await permissionsOf('layers', LA.id), byPrincipal([
        ['group.everyone', 'download'],
        [`group.${groupB}`, 'view'],
      ]));

      const one = await call('a_admin', 'GET', `${path}group.everyone/`);
      assert.equal(one.status, 200, one.text);
      assert.equal(one.body.id, 'group.everyone');
      assert.equal(one.body.permission, 'download');
      assert.equal(one.body.url, `${server.api}${path}group.everyone/`);
      const absent = await call('a_admin', 'GET', `${path}user.${users.outsider.id}/`);
      assertError(absent, 404, 'a permission not held');
      assertError(await call('a_admin', 'GET', `${path}user.${users.a_viewer.id}/`), 404, 'a permission never held');

      // The outsider's admin went with the old list; LA is still public, so a 403, not a 404.
      assertError(await call('outsider', 'GET', path), 403, 'outsider after the PUT');
      assertError(await call('outsider', 'PUT', path, []), 403, 'outsider PUT after losing admin');

      const cleared = await call('a_admin', 'PUT', path, []);
      assert.equal(cleared.status, 200, cleared.text);
      assert.deepEqual(cleared.body, []);
      assert.deepEqual(await permissionsOf('layers', LA.id), []);

      for (const caller of ['anonymous', 'outsider'] as const) {
        assertList(await call(caller, 'GET', 'layers/'), [], `${caller} layers/ after PUT []`);
        assertList(await call(caller, 'GET', 'layers/drafts/'), [], `${caller} drafts/ after PUT []`);
        assertError(await call(caller, 'GET', `layers/${LA.id}/`), 404, `${caller} LA after PUT []`);
        assertError(await call(caller, 'GET', `layers/${LA.id}/versions/${LA.version.id}/metadata/iso/`), 404, `${caller} LA metadata after PUT []`);
      }
      assertError(await call('outsider', 'GET', path), 404, 'outsider permissions/ of a hidden layer');
      assertList(await call('b_editor', 'GET', 'layers/'), [LB.id, TA.id], 'b_editor layers/ after PUT [] (TA by the group grant)');
      // The owning group is untouched by the list.
      assertList(await call('a_viewer', 'GET', 'layers/'), [LA.id, TA.id], 'a_viewer layers/ after PUT [] (with group A\'s table)');
      assertList(await call('a_admin', 'GET', path), [], 'a_admin permissions/ after PUT []', (p) => p.id, false);
    });
  });

  describe('sources', () => {
    it('grants a user view on SA: they see it, its datasources and scans; nothing more', async () => {
      assertList(await call('outsider', 'GET', 'sources/'), [], 'outsider sources/ before');
      const res = await call('a_admin', 'POST', `sources/${SA}/permissions/`, { id: `user.${users.outsider.id}`, permission: 'view' });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.headers.get('location'), `${server.api}sources/${SA}/permissions/user.${users.outsider.id}/`);

      assertList(await call('outsider', 'GET', 'sources/'), [SA], 'outsider sources/');
      assert.equal((await get<{ id: number }>('outsider', `sources/${SA}/`)).id, SA);
      assertList(await call('outsider', 'GET', `sources/${SA}/datasources/`), dsA.map((d) => d.id), 'outsider SA datasources/');
      assert.equal((await get<{ id: number }>('outsider', `sources/${SA}/datasources/${dsA[0]!.id}/`)).id, dsA[0]!.id);
      assert.equal((await call('outsider', 'GET', `sources/${SA}/scans/`)).status, 200);
      // Viewing a source is not editing it, nor seeing its permissions.
      assertError(await call('outsider', 'POST', `sources/${SA}/scans/`), 403, 'outsider rescans SA');
      assertError(await call('outsider', 'DELETE', `sources/${SA}/`), 403, 'outsider deletes SA');
      assertError(await call('outsider', 'GET', `sources/${SA}/permissions/`), 403, 'outsider SA permissions/');
      // Nor does it show the layers made from it, or the other group's source.
      assertError(await call('outsider', 'GET', `sources/${SB}/`), 404, 'outsider SB');
      assertList(await call('outsider', 'GET', 'layers/'), [], 'outsider layers/');
      assertList(await call('outsider', 'GET', 'tables/'), [], 'outsider tables/');
      // Still 401 for anonymous callers, and group B still sees only its own.
      assertError(await call('anonymous', 'GET', 'sources/'), 401, 'anonymous sources/');
      assertList(await call('b_editor', 'GET', 'sources/'), [SB], 'b_editor sources/');

      const perms = await call('a_admin', 'GET', `sources/${SA}/permissions/`);
      assertList(perms, [`user.${users.outsider.id}`], 'SA permissions/', (p) => p.id, false);
      assert.equal(perms.body[0].permission, 'view');
    });
  });
});
