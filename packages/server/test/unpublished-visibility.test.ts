/**
 * Who sees unpublished versions (drafts, imports in progress), through HTTP against a running
 * server with real GDAL: they are for callers who may edit the item, and nobody else.
 *
 * Rule as built: site admins, admins and editors of the owning group, and holders of `edit` or
 * `admin` (as user.<id> or group.<id>) see every version. Callers holding only `view` or
 * `download` (group viewers, group grants, group.everyone, anonymous callers of public items)
 * see published versions only; to them an unpublished version does not exist (404 not_found,
 * never 403, worded like a missing one), a never-published item does not exist either, and
 * lists, totals, catalog searches and set items leave them out. Write actions on a draft by a
 * caller who may view the item but not edit it answer 403 (edit is checked first); by a caller
 * who may not view it, 404; without a token, 401 (write routes need one).
 *
 * Items, all owned by group A:
 *   L1 a layer (New Zealand) published as "Heronsway coast", then given a draft retitled
 *      "Kestrelmoor coast"; public (group.everyone view).
 *   L2 a layer (Norway) never published: only its imported draft "Ptarmigan fjords"; public.
 *   S3 a set published as "Avocet atlas", then given a draft retitled "Bittern atlas"; private.
 *   S4 a set never published, "Curlew atlas"; private.
 *   S5 a set "Dunlin atlas" holding L1 and L2, published, public.
 * Every item grants group B view, user b_edit edit and group C edit.
 *
 * Callers: site_admin; a_admin, a_editor, a_viewer (roles in group A); b_view (an editor of
 * group B, so viewer of the items through the group.B grant); b_edit (a viewer of group B, with
 * user.N edit); c_edit (a viewer of group C, with group.C edit); outsider; anonymous.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminToken, createUserWithToken, startTestServer, type ApiResponse, type TestServer } from './helpers/server.js';
import { packagedData, part, uploadSource, waitForScan } from './helpers/uploads.js';

const scope = 'layers:read layers:write sets:read sets:write sources:read catalog';
const importing = ['queued', 'importing'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type User = 'a_admin' | 'a_editor' | 'a_viewer' | 'b_view' | 'b_edit' | 'c_edit' | 'outsider';
type Caller = 'site_admin' | User | 'anonymous';
const callers: Caller[] = ['site_admin', 'a_admin', 'a_editor', 'a_viewer', 'b_view', 'b_edit', 'c_edit', 'outsider', 'anonymous'];
/** Callers who may edit every item. */
const editors: Caller[] = ['site_admin', 'a_admin', 'a_editor', 'b_edit', 'c_edit'];
/** Callers who see only the public items (L1, L2, S5), and only as viewers. */
const publicOnly: Caller[] = ['outsider', 'anonymous'];
const isEditor = (caller: Caller) => editors.includes(caller);
/** May view the private sets S3 and S4. */
const seesPrivate = (caller: Caller) => !publicOnly.includes(caller);

const titles = {
  L1published: 'Heronsway coast',
  L1draft: 'Kestrelmoor coast',
  L2: 'Ptarmigan fjords',
  S3published: 'Avocet atlas',
  S3draft: 'Bittern atlas',
  S4: 'Curlew atlas',
  S5: 'Dunlin atlas',
};

const uploadedDc = `<?xml version="1.0" encoding="UTF-8"?>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title>Uploaded by someone who may not edit</dc:title>
</oai_dc:dc>
`;

interface Layer {
  id: number;
  url: string;
  title: string;
  published_version: string | null;
  latest_version: string;
  version: { id: number; url: string; status: string; published_at: string | null };
}

interface SetObject {
  id: number;
  url: string;
  title: string;
  items: Array<string | Layer>;
  published_version: string | null;
  latest_version: string;
  version: { id: number; url: string; published_at: string | null };
}

interface CatalogRow {
  id: number;
  type: string;
  title: string;
  version: { id: number | null };
}

type Id = number | string;
const sorted = (ids: Id[]) => [...ids].sort((a, b) => String(a).localeCompare(String(b), 'en', { numeric: true }));

/** A list answer: 200, exactly these ids, and an X-Resource-Range that counts only them. */
function assertList(res: ApiResponse, ids: Id[], what: string, idOf: (row: any) => Id = (row) => row.id): void {
  assert.equal(res.status, 200, `${what}: ${res.status} ${res.text}`);
  assert.equal(res.headers.get('x-resource-range'), `0-${ids.length}/${ids.length}`, `${what}: X-Resource-Range`);
  assert.ok(Array.isArray(res.body), `${what}: expected a JSON array, got ${res.text}`);
  assert.deepEqual(sorted((res.body as unknown[]).map(idOf)), sorted(ids), `${what}: ids`);
}

function assertError(res: ApiResponse, status: 400 | 401 | 403 | 404, what: string): void {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text}`);
  const code = { 400: 'invalid_body', 401: 'authentication_required', 403: 'forbidden', 404: 'not_found' }[status];
  if (status !== 400) assert.equal(res.body?.code, code, `${what}: error code in ${res.text}`);
}

/** An error answer with one id written as N, to compare a hidden item's 404 with a missing one's. */
function errorShape(res: ApiResponse, id: number): unknown {
  const pattern = new RegExp(`\\b${id}\\b`, 'g');
  return {
    status: res.status,
    code: res.body?.code,
    message: String(res.body?.message).replace(pattern, 'N'),
    errors: JSON.stringify(res.body?.errors ?? []).replace(pattern, 'N'),
  };
}

function ogr2ogr(args: string[]): void {
  execFileSync('ogr2ogr', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

describe('unpublished versions are only for those who may edit', () => {
  let server: TestServer;
  let work: string;
  const users = {} as Record<User, { id: number; token: string; url: string }>;
  let groupA: number;
  let groupB: number;
  let groupC: number;
  let L1: Layer; // as published
  let L1draft: Layer;
  let L2: Layer; // its only version, a draft
  let S3: SetObject; // as published
  let S3draft: SetObject;
  let S4: SetObject; // its only version, a draft
  let S5: SetObject;
  const missing = 999_999;

  const tokenOf = (caller: Caller): string | null =>
    caller === 'site_admin' ? adminToken : caller === 'anonymous' ? null : users[caller].token;

  const call = (caller: Caller, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    server.request(method, path, { token: tokenOf(caller), headers, ...(body !== undefined && { body }) });

  const get = async <T = any>(caller: Caller, path: string, headers: Record<string, string> = {}): Promise<T> => {
    const res = await call(caller, 'GET', path, undefined, headers);
    assert.equal(res.status, 200, `${caller} GET ${path}: ${res.status} ${res.text}`);
    return res.body as T;
  };

  const postXml = (caller: Caller, path: string) =>
    server.request('POST', path, { raw: uploadedDc, token: tokenOf(caller), headers: { 'content-type': 'application/xml' } });

  const waitForPublish = async (publish: ApiResponse) => {
    assert.equal(publish.status, 201, `publish: ${publish.text}`);
    const deadline = Date.now() + 30_000;
    let state = publish.body.state as string;
    while (state === 'pending' || state === 'publishing') {
      assert.ok(Date.now() < deadline, 'publish did not finish in 30 s');
      await sleep(50);
      state = (await get('site_admin', publish.body.url)).state;
    }
    assert.equal(state, 'completed');
  };

  const importedLayer = async (title: string, datasource: number): Promise<Layer> => {
    const created = await call('site_admin', 'POST', 'layers/', { title, group: groupA, data: { datasources: [datasource] } });
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

  const createSet = async (title: string, items: string[]): Promise<SetObject> => {
    const res = await call('site_admin', 'POST', 'sets/', { title, group: groupA, items });
    assert.equal(res.status, 201, `POST sets/: ${res.text}`);
    return res.body as SetObject;
  };

  const publishSet = async (set: SetObject): Promise<SetObject> => {
    await waitForPublish(await call('site_admin', 'POST', `sets/${set.id}/versions/${set.version.id}/publish/`, {}));
    return get<SetObject>('site_admin', `sets/${set.id}/`);
  };

  const grant = async (collection: 'layers' | 'sets', id: number, principal: string, permission: string) => {
    const res = await call('site_admin', 'POST', `${collection}/${id}/permissions/`, { id: principal, permission });
    assert.equal(res.status, 201, `grant ${principal} ${permission} on ${collection}/${id}: ${res.text}`);
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-unpublished-'));
    const gpkg = join(work, 'countries.gpkg');
    const atlas = packagedData('world-atlas/countries-110m.json');
    for (const [key, name, update] of [
      ['nz', 'New Zealand', false],
      ['no', 'Norway', true],
    ] as const) {
      ogr2ogr(['-f', 'GPKG', ...(update ? ['-update'] : []), '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON', '-where', `name = '${name}'`, '-nln', key, gpkg, atlas, 'countries']);
    }

    server = await startTestServer();
    const groups: number[] = [];
    for (const name of ['Group A', 'Group B', 'Group C']) {
      const res = await server.request('POST', 'groups/', { body: { name } });
      assert.equal(res.status, 201, res.text);
      groups.push(res.body.id);
    }
    [groupA, groupB, groupC] = groups as [number, number, number];
    for (const name of ['a_admin', 'a_editor', 'a_viewer', 'b_view', 'b_edit', 'c_edit', 'outsider'] as const) {
      users[name] = await createUserWithToken(server, name, scope);
    }
    for (const [group, user, role] of [
      [groupA, 'a_admin', 'admin'],
      [groupA, 'a_editor', 'editor'],
      [groupA, 'a_viewer', 'viewer'],
      [groupB, 'b_view', 'editor'],
      [groupB, 'b_edit', 'viewer'],
      [groupC, 'c_edit', 'viewer'],
    ] as const) {
      const member = await server.request('POST', `groups/${group}/members/`, { body: { user: users[user].id, role } });
      assert.equal(member.status, 201, member.text);
    }

    const source = await uploadSource(server, 'Countries', [part(gpkg)], { group: groupA });
    assert.equal(source.status, 201, source.text);
    const scan = await waitForScan(server, source.body.id as number);
    assert.equal(scan.status, 'completed', JSON.stringify(scan));
    const datasources = await get<Array<{ id: number; layer: string }>>('site_admin', `sources/${source.body.id}/datasources/?page_size=100`);
    const ds = (key: string) => {
      const found = datasources.find((d) => d.layer === key);
      assert.ok(found, `datasource ${key} in ${JSON.stringify(datasources)}`);
      return found.id;
    };

    let L1imported: Layer;
    [L1imported, L2] = await Promise.all([importedLayer(titles.L1published, ds('nz')), importedLayer(titles.L2, ds('no'))]);
    await waitForPublish(await call('site_admin', 'POST', `${L1imported.version.url}publish/`, {}));
    L1 = await get<Layer>('site_admin', L1imported.url);
    assert.equal(L1.version.id, L1imported.version.id);
    const draft = await call('site_admin', 'POST', `layers/${L1.id}/versions/`);
    assert.equal(draft.status, 201, draft.text);
    const retitled = await call('site_admin', 'PUT', (draft.body as Layer).version.url, { title: titles.L1draft });
    assert.equal(retitled.status, 200, retitled.text);
    L1draft = retitled.body as Layer;
    assert.equal(L1draft.title, titles.L1draft);
    assert.equal(L1draft.version.published_at, null);

    S3 = await publishSet(await createSet(titles.S3published, [L1.url]));
    const saved = await call('site_admin', 'PUT', `sets/${S3.id}/`, { title: titles.S3draft });
    assert.equal(saved.status, 200, saved.text);
    S3draft = saved.body as SetObject;
    assert.notEqual(S3draft.version.id, S3.version.id, 'saving a published set makes a new draft');
    assert.equal(S3draft.version.published_at, null);
    S4 = await createSet(titles.S4, [L1.url]);
    S5 = await publishSet(await createSet(titles.S5, [L1.url, L2.url]));

    for (const [collection, id, isPublic] of [
      ['layers', L1.id, true],
      ['layers', L2.id, true],
      ['sets', S3.id, false],
      ['sets', S4.id, false],
      ['sets', S5.id, true],
    ] as const) {
      if (isPublic) await grant(collection, id, 'group.everyone', 'view');
      await grant(collection, id, `group.${groupB}`, 'view');
      await grant(collection, id, `user.${users.b_edit.id}`, 'edit');
      await grant(collection, id, `group.${groupC}`, 'edit');
    }
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('layers', () => {
    it('GET layers/{id}/ shows the published version to everyone; a never-published layer only to editors', async () => {
      for (const caller of callers) {
        const l1 = await get<Layer>(caller, `layers/${L1.id}/`);
        assert.equal(l1.version.id, L1.version.id, `${caller} L1 version`);
        assert.equal(l1.title, titles.L1published, `${caller} L1 title`);

        const l2 = await call(caller, 'GET', `layers/${L2.id}/`);
        if (isEditor(caller)) {
          assert.equal(l2.status, 200, `${caller} L2: ${l2.text}`);
          assert.equal(l2.body.version.id, L2.version.id, `${caller} L2 version`);
          assert.equal(l2.body.title, titles.L2);
        } else {
          assertError(l2, 404, `${caller} L2`);
          assert.deepEqual(errorShape(l2, L2.id), errorShape(await call(caller, 'GET', `layers/${missing}/`), missing), `${caller}: L2 reads like a missing layer`);
        }
      }
    });

    it('GET layers/{id}/versions/ lists every version to editors, the published ones to viewers', async () => {
      const versionId = (row: Layer) => row.version.id;
      for (const caller of callers) {
        const editor = isEditor(caller);
        assertList(await call(caller, 'GET', `layers/${L1.id}/versions/`), editor ? [L1.version.id, L1draft.version.id] : [L1.version.id], `${caller} L1 versions/`, versionId);
        assertList(await call(caller, 'GET', `layers/${L2.id}/versions/`), editor ? [L2.version.id] : [], `${caller} L2 versions/`, versionId);
        // Asking for the unpublished ones outright finds nothing either.
        assertList(
          await call(caller, 'GET', `layers/${L1.id}/versions/?published_at.isnull=true`),
          editor ? [L1draft.version.id] : [],
          `${caller} L1 versions/?published_at.isnull=true`,
          versionId,
        );
        const full = await call(caller, 'GET', `layers/${L1.id}/versions/`, undefined, { expand: 'list' });
        assert.deepEqual(
          (full.body as Layer[]).map((v) => v.title),
          editor ? [titles.L1published, titles.L1draft] : [titles.L1published],
          `${caller} L1 versions/ (Expand: list) titles`,
        );
      }
    });

    it('GET a draft by draft/, by id, its ISO metadata and its import log: 200 to editors, 404 to everyone else', async () => {
      for (const [layer, draft, title] of [
        [L1, L1draft, titles.L1draft],
        [L2, L2, titles.L2],
      ] as const) {
        const v = draft.version.id;
        for (const caller of callers) {
          const what = `${caller} layer ${layer === L1 ? 'L1' : 'L2'}`;
          const paths = [`layers/${layer.id}/versions/draft/`, `layers/${layer.id}/versions/${v}/`, `layers/${layer.id}/versions/${v}/metadata/iso/`, `layers/${layer.id}/versions/${v}/import-log/`];
          const [byRef, byId, iso, log] = await Promise.all(paths.map((p) => call(caller, 'GET', p)));
          if (isEditor(caller)) {
            for (const [res, path] of [byRef, byId, iso, log].map((r, i) => [r!, paths[i]!] as const)) assert.equal(res.status, 200, `${what} GET ${path}: ${res.status} ${res.text}`);
            assert.equal(byRef!.body.version.id, v, `${what} draft/`);
            assert.equal(byRef!.body.title, title);
            assert.equal(byId!.body.version.id, v);
            assert.ok(iso!.text.includes(title), `${what} ISO metadata names the draft's title`);
          } else {
            [byRef, byId, iso, log].forEach((res, i) => assertError(res!, 404, `${what} GET ${paths[i]}`));
            // Worded like a version that doesn't exist.
            const ghost = await call(caller, 'GET', `layers/${layer.id}/versions/${missing}/`);
            assert.deepEqual(errorShape(byId!, v), errorShape(ghost, missing), `${what}: a draft reads like a missing version`);
          }
        }
      }
    });

    it('GET the published version, by published/ and by id, with its metadata: 200 to everyone', async () => {
      for (const caller of callers) {
        assert.equal((await get<Layer>(caller, `layers/${L1.id}/versions/published/`)).version.id, L1.version.id, `${caller} published/`);
        assert.equal((await get<Layer>(caller, `layers/${L1.id}/versions/${L1.version.id}/`)).title, titles.L1published, `${caller} by id`);
        const iso = await call(caller, 'GET', `layers/${L1.id}/versions/${L1.version.id}/metadata/iso/`);
        assert.equal(iso.status, 200, `${caller} published ISO: ${iso.text}`);
        assert.ok(iso.text.includes(titles.L1published) && !iso.text.includes(titles.L1draft), `${caller} published ISO metadata`);
        // L2 has no published version, for anyone.
        assertError(await call(caller, 'GET', `layers/${L2.id}/versions/published/`), 404, `${caller} L2 published/`);
      }
    });

    it('GET layers/ lists published layers (L1 as published) to everyone; layers/drafts/ only what the caller may edit', async () => {
      for (const caller of callers) {
        const published = await call(caller, 'GET', 'layers/');
        assertList(published, [L1.id], `${caller} layers/`);
        assert.equal(published.body[0].title, titles.L1published, `${caller} layers/ title`);
        assert.equal(published.body[0].version.id, L1.version.id, `${caller} layers/ version`);

        const drafts = await call(caller, 'GET', 'layers/drafts/');
        assertList(drafts, isEditor(caller) ? [L1.id, L2.id] : [], `${caller} layers/drafts/`);
        if (isEditor(caller)) {
          const byId = new Map((drafts.body as Layer[]).map((row) => [row.id, row]));
          assert.equal(byId.get(L1.id)!.version.id, L1draft.version.id, `${caller} drafts/ shows L1's draft`);
          assert.equal(byId.get(L1.id)!.title, titles.L1draft);
          assert.equal(byId.get(L2.id)!.version.id, L2.version.id);
        }
      }
    });
  });

  describe('sets', () => {
    it('GET sets/{id}/ shows the published version to its viewers; a never-published set only to editors', async () => {
      for (const caller of callers) {
        const s3 = await call(caller, 'GET', `sets/${S3.id}/`);
        if (seesPrivate(caller)) {
          assert.equal(s3.status, 200, `${caller} S3: ${s3.text}`);
          assert.equal(s3.body.version.id, S3.version.id, `${caller} S3 version`);
          assert.equal(s3.body.title, titles.S3published, `${caller} S3 title`);
        } else assertError(s3, 404, `${caller} S3`);

        const s4 = await call(caller, 'GET', `sets/${S4.id}/`);
        if (isEditor(caller)) {
          assert.equal(s4.status, 200, `${caller} S4: ${s4.text}`);
          assert.equal(s4.body.version.id, S4.version.id);
          assert.equal(s4.body.title, titles.S4);
        } else {
          assertError(s4, 404, `${caller} S4`);
          assert.deepEqual(errorShape(s4, S4.id), errorShape(await call(caller, 'GET', `sets/${missing}/`), missing), `${caller}: S4 reads like a missing set`);
        }

        const s5 = await get<SetObject>(caller, `sets/${S5.id}/`);
        assert.equal(s5.version.id, S5.version.id, `${caller} S5`);
      }
    });

    it('GET sets/{id}/versions/ lists every version to editors, the published ones to viewers', async () => {
      const versionId = (row: SetObject) => row.version.id;
      for (const caller of callers) {
        const editor = isEditor(caller);
        const s3 = await call(caller, 'GET', `sets/${S3.id}/versions/`);
        const s4 = await call(caller, 'GET', `sets/${S4.id}/versions/`);
        const unpublished = await call(caller, 'GET', `sets/${S3.id}/versions/?published_at.isnull=true`);
        if (!seesPrivate(caller)) {
          for (const [res, what] of [[s3, 'S3'], [s4, 'S4'], [unpublished, 'S3 unpublished']] as const) assertError(res, 404, `${caller} ${what} versions/`);
          continue;
        }
        assertList(s3, editor ? [S3.version.id, S3draft.version.id] : [S3.version.id], `${caller} S3 versions/`, versionId);
        assertList(s4, editor ? [S4.version.id] : [], `${caller} S4 versions/`, versionId);
        assertList(unpublished, editor ? [S3draft.version.id] : [], `${caller} S3 versions/?published_at.isnull=true`, versionId);
        assert.deepEqual((s3.body as SetObject[]).map((v) => v.title), editor ? [titles.S3published, titles.S3draft] : [titles.S3published]);
      }
    });

    it('GET a set draft by draft/, by id and its metadata: 200 to editors, 404 to everyone else', async () => {
      for (const [set, draft, title] of [
        [S3, S3draft, titles.S3draft],
        [S4, S4, titles.S4],
      ] as const) {
        const v = draft.version.id;
        for (const caller of callers) {
          const what = `${caller} set ${set === S3 ? 'S3' : 'S4'}`;
          const paths = [`sets/${set.id}/versions/draft/`, `sets/${set.id}/versions/${v}/`, `sets/${set.id}/versions/${v}/metadata/`];
          const [byRef, byId, metadata] = await Promise.all(paths.map((p) => call(caller, 'GET', p)));
          if (isEditor(caller)) {
            for (const [res, path] of [byRef, byId, metadata].map((r, i) => [r!, paths[i]!] as const)) assert.equal(res.status, 200, `${what} GET ${path}: ${res.status} ${res.text}`);
            assert.equal(byRef!.body.version.id, v);
            assert.equal(byRef!.body.title, title);
            assert.equal(byId!.body.title, title);
            assert.ok(metadata!.text.includes(title), `${what}: the draft's metadata names its title`);
          } else {
            [byRef, byId, metadata].forEach((res, i) => assertError(res!, 404, `${what} GET ${paths[i]}`));
            if (seesPrivate(caller)) {
              const ghost = await call(caller, 'GET', `sets/${set.id}/versions/${missing}/`);
              assert.deepEqual(errorShape(byId!, v), errorShape(ghost, missing), `${what}: a draft reads like a missing version`);
            }
          }
        }
      }
    });

    it("GET sets/{id}/metadata/ is the current version's: the published one for everyone, a never-published set's draft for editors only", async () => {
      for (const caller of callers) {
        const s3 = await call(caller, 'GET', `sets/${S3.id}/metadata/`, undefined, { accept: 'application/xml' });
        if (seesPrivate(caller)) {
          assert.equal(s3.status, 200, `${caller} S3 metadata/: ${s3.text}`);
          assert.ok(s3.text.includes(titles.S3published) && !s3.text.includes(titles.S3draft), `${caller} S3 metadata/ is the published version's`);
          const published = await call(caller, 'GET', `sets/${S3.id}/versions/${S3.version.id}/metadata/`);
          assert.equal(published.status, 200, `${caller} S3 published version metadata/`);
        } else assertError(s3, 404, `${caller} S3 metadata/`);

        const s4 = await call(caller, 'GET', `sets/${S4.id}/metadata/`, undefined, { accept: 'application/xml' });
        if (isEditor(caller)) {
          assert.equal(s4.status, 200, `${caller} S4 metadata/: ${s4.text}`);
          assert.ok(s4.text.includes(titles.S4));
        } else assertError(s4, 404, `${caller} S4 metadata/`);

        const s5 = await call(caller, 'GET', `sets/${S5.id}/metadata/`, undefined, { accept: 'application/xml' });
        assert.equal(s5.status, 200, `${caller} S5 metadata/: ${s5.text}`);
        assert.ok(s5.text.includes(titles.S5));
      }
    });

    it('GET sets/ lists published sets as published; sets/drafts/ only what the caller may edit', async () => {
      for (const caller of callers) {
        const published = await call(caller, 'GET', 'sets/');
        assertList(published, seesPrivate(caller) ? [S3.id, S5.id] : [S5.id], `${caller} sets/`);
        for (const row of published.body as SetObject[]) {
          assert.equal(row.version.published_at !== null, true, `${caller} sets/ shows published versions`);
          if (row.id === S3.id) assert.equal(row.title, titles.S3published, `${caller} sets/ S3 title`);
        }

        const drafts = await call(caller, 'GET', 'sets/drafts/');
        assertList(drafts, isEditor(caller) ? [S3.id, S4.id] : [], `${caller} sets/drafts/`);
        if (isEditor(caller)) {
          const s3 = (drafts.body as SetObject[]).find((row) => row.id === S3.id)!;
          assert.equal(s3.version.id, S3draft.version.id);
          assert.equal(s3.title, titles.S3draft);
        }
      }
    });

    it("a set's items: a viewer sees L1 (as published) but not the never-published L2; an editor sees both", async () => {
      for (const caller of callers) {
        const editor = isEditor(caller);
        const plain = await get<SetObject>(caller, `sets/${S5.id}/`);
        assert.deepEqual(plain.items, editor ? [L1.url, L2.url] : [L1.url], `${caller} S5 items`);
        const byVersion = await get<SetObject>(caller, `sets/${S5.id}/versions/${S5.version.id}/`);
        assert.deepEqual(byVersion.items, editor ? [L1.url, L2.url] : [L1.url], `${caller} S5 version items`);

        const expanded = await get<SetObject>(caller, `sets/${S5.id}/`, { expand: 'items' });
        const items = expanded.items as Layer[];
        assert.deepEqual(items.map((item) => item.id), editor ? [L1.id, L2.id] : [L1.id], `${caller} S5 Expand: items`);
        assert.equal(items[0]!.version.id, L1.version.id, `${caller}: L1 through its published version`);
        assert.equal(items[0]!.title, titles.L1published);
        if (editor) assert.equal(items[1]!.version.id, L2.version.id, `${caller}: L2 through its draft`);
      }
    });
  });

  describe('the catalog', () => {
    /** Catalog rows as `type.id` → [title, version id]. */
    const rowsOf = (res: ApiResponse) =>
      Object.fromEntries((res.body as CatalogRow[]).map((row) => [`${row.type}.${row.id}`, [row.title, row.version.id]]));

    it('data/latest/ shows each item once: editors its newest version, viewers its published one, never-published items to editors only', async () => {
      for (const caller of callers) {
        const res = await call(caller, 'GET', 'data/latest/');
        const expected: Record<string, [string, number]> = isEditor(caller)
          ? {
              [`layer.${L1.id}`]: [titles.L1draft, L1draft.version.id],
              [`layer.${L2.id}`]: [titles.L2, L2.version.id],
              [`set.${S3.id}`]: [titles.S3draft, S3draft.version.id],
              [`set.${S4.id}`]: [titles.S4, S4.version.id],
              [`set.${S5.id}`]: [titles.S5, S5.version.id],
            }
          : {
              [`layer.${L1.id}`]: [titles.L1published, L1.version.id],
              ...(seesPrivate(caller) && { [`set.${S3.id}`]: [titles.S3published, S3.version.id] }),
              [`set.${S5.id}`]: [titles.S5, S5.version.id],
            };
        const keys = Object.keys(expected);
        assertList(res, keys, `${caller} data/latest/`, (row: CatalogRow) => `${row.type}.${row.id}`);
        assert.deepEqual(rowsOf(res), expected, `${caller} data/latest/ titles and versions`);

        // Expand: list gives the same versions, in full.
        const full = await call(caller, 'GET', 'data/latest/', undefined, { expand: 'list' });
        assert.equal(full.status, 200, full.text);
        assert.deepEqual(
          Object.fromEntries((full.body as Array<{ type: string; id: number; title: string; version: { id: number } }>).map((row) => [`${row.type}.${row.id}`, [row.title, row.version.id]])),
          expected,
          `${caller} data/latest/ (Expand: list)`,
        );
      }
    });

    it('data/latest/?q= finds a draft-only title for editors only, and a published title only for those shown the published version', async () => {
      const searches: Array<[string, string, (caller: Caller) => string[]]> = [
        ['Kestrelmoor', "L1's draft title", (c) => (isEditor(c) ? [`layer.${L1.id}`] : [])],
        ['Ptarmigan', "L2's only title", (c) => (isEditor(c) ? [`layer.${L2.id}`] : [])],
        ['Bittern', "S3's draft title", (c) => (isEditor(c) ? [`set.${S3.id}`] : [])],
        ['Curlew', "S4's only title", (c) => (isEditor(c) ? [`set.${S4.id}`] : [])],
        ['Heronsway', "L1's published title", (c) => (isEditor(c) ? [] : [`layer.${L1.id}`])],
        ['Avocet', "S3's published title", (c) => (isEditor(c) || !seesPrivate(c) ? [] : [`set.${S3.id}`])],
        ['Dunlin', "S5's title", () => [`set.${S5.id}`]],
      ];
      for (const caller of callers) {
        for (const [word, what, expected] of searches) {
          assertList(await call(caller, 'GET', `data/latest/?q=${word}`), expected(caller), `${caller} data/latest/?q=${word} (${what})`, (row: CatalogRow) => `${row.type}.${row.id}`);
        }
      }
    });

    it('data/ is unchanged: published versions only, for everyone', async () => {
      for (const caller of callers) {
        const res = await call(caller, 'GET', 'data/');
        const expected: Record<string, [string, number]> = {
          [`layer.${L1.id}`]: [titles.L1published, L1.version.id],
          ...(seesPrivate(caller) && { [`set.${S3.id}`]: [titles.S3published, S3.version.id] }),
          [`set.${S5.id}`]: [titles.S5, S5.version.id],
        };
        assertList(res, Object.keys(expected), `${caller} data/`, (row: CatalogRow) => `${row.type}.${row.id}`);
        assert.deepEqual(rowsOf(res), expected, `${caller} data/ titles and versions`);
        for (const word of ['Kestrelmoor', 'Ptarmigan', 'Bittern', 'Curlew']) assertList(await call(caller, 'GET', `data/?q=${word}`), [], `${caller} data/?q=${word}`);
        assertList(await call(caller, 'GET', 'data/?q=Heronsway'), [L1.id], `${caller} data/?q=Heronsway`);
      }
    });

    it("data/latest/ with Expand: list shows S5's items as the caller may see them", async () => {
      for (const caller of callers) {
        const full = await get<Array<{ type: string; id: number; items?: string[] }>>(caller, 'data/latest/?type=set', { expand: 'list' });
        const s5 = full.find((row) => row.id === S5.id);
        assert.deepEqual(s5?.items, isEditor(caller) ? [L1.url, L2.url] : [L1.url], `${caller} S5 items in data/latest/`);
      }
    });
  });

  describe('write actions by callers who may not edit', () => {
    /** Those who may view the item: 403 (edit is checked first); those who may not: 404; no token: 401. */
    const refused = (caller: Caller, mayView: boolean): 401 | 403 | 404 => (caller === 'anonymous' ? 401 : mayView ? 403 : 404);
    const nonEditors = callers.filter((c) => !isEditor(c));

    it("a layer's draft: PUT, publish, metadata upload, re-import, delete, and a publish request are refused", async () => {
      for (const [name, layer, draft] of [
        ['L1', L1, L1draft],
        ['L2', L2, L2],
      ] as const) {
        const url = `layers/${layer.id}/versions/${draft.version.id}/`;
        for (const caller of nonEditors) {
          const status = refused(caller, true); // L1 and L2 are public
          const what = `${caller} on ${name}'s draft`;
          assertError(await call(caller, 'PUT', url, { title: 'Viewer edit' }), status, `${what}: PUT`);
          assertError(await call(caller, 'POST', `${url}publish/`, {}), status, `${what}: publish/`);
          assertError(await postXml(caller, `${url}metadata/`), status, `${what}: POST metadata/`);
          assertError(await call(caller, 'POST', `${url}import/`), status, `${what}: import/`);
          assertError(await call(caller, 'DELETE', url), status, `${what}: DELETE`);
          assertError(await call(caller, 'POST', `layers/${layer.id}/versions/`), status, `${what}: POST versions/`);
          assertError(await call(caller, 'POST', 'publish/', { items: [draft.version.url] }), status, `${what}: POST publish/`);
        }
      }
      // Nothing changed.
      const l1 = await get<Layer>('a_editor', `layers/${L1.id}/versions/draft/`);
      assert.equal(l1.version.id, L1draft.version.id);
      assert.equal(l1.title, titles.L1draft);
      assert.equal(l1.version.published_at, null);
      assertList(await call('a_editor', 'GET', `layers/${L1.id}/versions/`), [L1.version.id, L1draft.version.id], 'L1 versions after', (r: Layer) => r.version.id);
      const l2 = await get<Layer>('a_editor', `layers/${L2.id}/`);
      assert.equal(l2.title, titles.L2);
      assert.equal(l2.version.published_at, null);
      const iso = await call('a_editor', 'GET', `layers/${L1.id}/versions/${L1draft.version.id}/metadata/`);
      assert.ok(!iso.text.includes('Uploaded by someone who may not edit'), 'no metadata was stored');
      assertError(await call('site_admin', 'GET', `layers/${L2.id}/versions/published/`), 404, 'L2 is still unpublished');
    });

    it("a set's draft: PUT the set or the draft, publish, metadata uploads, delete, and a publish request are refused", async () => {
      for (const [name, set, draft] of [
        ['S3', S3, S3draft],
        ['S4', S4, S4],
      ] as const) {
        const url = `sets/${set.id}/versions/${draft.version.id}/`;
        for (const caller of nonEditors) {
          const status = refused(caller, seesPrivate(caller)); // S3 and S4 are private
          const what = `${caller} on ${name}'s draft`;
          assertError(await call(caller, 'PUT', `sets/${set.id}/`, { title: 'Viewer edit' }), status, `${what}: PUT the set`);
          assertError(await call(caller, 'PUT', url, { title: 'Viewer edit' }), status, `${what}: PUT`);
          assertError(await call(caller, 'POST', `${url}publish/`, {}), status, `${what}: publish/`);
          assertError(await postXml(caller, `sets/${set.id}/metadata/`), status, `${what}: POST the set's metadata/`);
          assertError(await postXml(caller, `${url}metadata/`), status, `${what}: POST metadata/`);
          assertError(await call(caller, 'DELETE', url), status, `${what}: DELETE`);
          // The publish route names items in its body, so one it can't see is a 400 there.
          const publish = await call(caller, 'POST', 'publish/', { items: [draft.version.url] });
          if (status === 404) {
            assertError(publish, 400, `${what}: POST publish/`);
            assert.ok((publish.body.errors as Array<{ location: string }>).some((e) => e.location === 'body.items[0]'), publish.text);
          } else assertError(publish, status, `${what}: POST publish/`);
        }
      }
      // Nothing changed.
      assertList(await call('a_editor', 'GET', 'sets/drafts/'), [S3.id, S4.id], 'sets/drafts/ after');
      assert.equal((await get<SetObject>('a_editor', `sets/${S3.id}/versions/draft/`)).title, titles.S3draft);
      assert.equal((await get<SetObject>('a_editor', `sets/${S4.id}/`)).title, titles.S4);
      assert.equal((await get<SetObject>('a_editor', `sets/${S3.id}/`)).version.id, S3.version.id, 'S3 still shows its first published version');
      const metadata = await call('a_editor', 'GET', `sets/${S3.id}/versions/${S3draft.version.id}/metadata/`);
      assert.ok(!metadata.text.includes('Uploaded by someone who may not edit'), 'no metadata was stored');
    });

    it('a viewer may not put a never-published layer they cannot see into a set of their own', async () => {
      // b_view edits group B, so may create sets there; L2 reads as missing to them, L1 does not.
      const refusedSet = await call('b_view', 'POST', 'sets/', { title: 'B atlas', group: groupB, items: [L1.url, L2.url] });
      assert.equal(refusedSet.status, 400, refusedSet.text);
      assert.ok((refusedSet.body.errors as Array<{ location: string }>).some((e) => e.location === 'body.items[1]'), refusedSet.text);
    });
  });

  describe('links to versions', () => {
    it('editors are shown the draft as latest_version', async () => {
      for (const caller of editors) {
        const l1 = await get<Layer>(caller, `layers/${L1.id}/`);
        assert.equal(l1.latest_version, L1draft.version.url, `${caller} L1 latest_version`);
        const s3 = await get<SetObject>(caller, `sets/${S3.id}/`);
        assert.equal(s3.latest_version, S3draft.version.url, `${caller} S3 latest_version`);
      }
    });

    it(
      'viewers are not shown a link to the draft (latest_version is the newest version they may see)',
      async () => {
        for (const caller of callers.filter((c) => !isEditor(c))) {
          const l1 = await get<Layer>(caller, `layers/${L1.id}/`);
          assert.equal(l1.latest_version, L1.version.url, `${caller} L1 latest_version`);
          const expanded = await get<SetObject>(caller, `sets/${S5.id}/`, { expand: 'items' });
          assert.equal((expanded.items[0] as Layer).latest_version, L1.version.url, `${caller} L1 latest_version in S5's items`);
          if (seesPrivate(caller)) {
            const s3 = await get<SetObject>(caller, `sets/${S3.id}/`);
            assert.equal(s3.latest_version, S3.version.url, `${caller} S3 latest_version`);
          }
        }
      },
    );
  });
});
