/**
 * The catalog (`/data/` and `/data/latest/`), through HTTP against a running server with real
 * GDAL: full-text search and its ranking, bbox relations, every filter, sorting, paging while the
 * catalog grows, drafts in `/data/latest/`, `Expand: list`, and what each caller may see.
 *
 * Data: single countries cut from the packaged world-atlas countries-110m with ogr2ogr (one
 * GeoPackage, one layer per country) and a CSV table without geometry. Extents used in the bbox
 * cases come from `ogrinfo`, not from this file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createUserWithToken, parseLinks, startTestServer, type ApiResponse, type TestServer } from './helpers/server.js';
import { ogrInfo, packagedData, part, uploadSource, waitForScan } from './helpers/uploads.js';

type Bbox = [number, number, number, number];
type Params = Record<string, string | string[]>;

interface Datasource {
  id: number;
  url: string;
  layer: string;
  data_type: 'vector' | 'table';
}

interface Layer {
  id: number;
  url: string;
  type: 'layer' | 'table';
  title: string;
  version: { id: number; url: string; status: string };
}

interface Summary {
  id: number;
  url: string;
  type: string;
  kind: string;
  title: string;
  tags: string[];
  categories: string[];
  extent: { type: string; coordinates: number[][][] } | null;
  created_at: string;
  updated_at: string;
  version: { id: number; status: string };
  data?: unknown;
}

interface License {
  id: number;
  type: string;
  title: string;
  version: string;
  jurisdiction: string;
}

const importing = ['queued', 'importing'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const numeric = (a: number, b: number) => a - b;
const sortedIds = (ids: number[]) => [...ids].sort(numeric);

function ogr2ogr(args: string[]): void {
  execFileSync('ogr2ogr', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function locations(res: ApiResponse): string[] {
  return ((res.body?.errors ?? []) as Array<{ location: string }>).map((e) => e.location);
}

/** A 400 whose errors name `location`, or a location under it (query.bbox.within under query.bbox). */
function assertBadRequest(res: ApiResponse, location: string, what: string): void {
  assert.equal(res.status, 400, `${what}: expected 400, got ${res.status} ${res.text}`);
  assert.ok(
    locations(res).some((l) => l === location || l.startsWith(`${location}.`)),
    `${what}: expected an error at ${location}, got ${res.text}`,
  );
}

const countries = {
  nz: 'New Zealand',
  au: 'Australia',
  br: 'Brazil',
  no: 'Norway',
  ke: 'Kenya',
} as const;
type Country = keyof typeof countries;

describe('catalog search', () => {
  let server: TestServer;
  let work: string;
  let extents: Record<Country, Bbox>;
  let defaultGroup: number;
  let archiveGroup: number;
  const licenses: Record<string, License> = {};
  /** A viewer in the Default group (sees its private items, not the Archive group's). */
  let member: { id: number; token: string };
  /** A user in another group only. */
  let outsider: { id: number; token: string };
  /** A Default-group member whose token lacks the catalog scope. */
  let noScope: { id: number; token: string };
  let countryDatasources: Record<Country, Datasource>;

  // Catalog items.
  let nz: Layer; // "New Zealand coastline": cc-by, tags islands+pacific, category boundaries; public later
  let au: Layer; // "Australia outline": metadata set by PUT on the draft; cc-by-sa
  let br: Layer; // "Brazil border": public-domain (CC0), category environment
  let no: Layer; // "Norway fjords": in the Archive group; cc-by-nc
  let ke: Layer; // "Kenya savanna": left as a draft
  let table: Layer; // "Weather station readings": a table, cc-by-nd, fields station/rainfall/recorded
  let aardvark: Layer | undefined; // published in the middle of paging

  /** Published items as the admin sees them (grows when aardvark is published). */
  const published = () => [nz, au, br, no, table, ...(aardvark ? [aardvark] : [])].map((l) => l.id);

  const get = async <T = any>(path: string, token?: string): Promise<T> => {
    const res = await server.request('GET', path, { token });
    assert.equal(res.status, 200, `GET ${path}: ${res.text}`);
    return res.body as T;
  };

  /** GET a catalog list with these query parameters; 200 expected. */
  const search = async (
    params: Params = {},
    opts: { token?: string | null; path?: string; expand?: boolean } = {},
  ): Promise<ApiResponse<Summary[]>> => {
    const res = await request(params, opts);
    assert.equal(res.status, 200, `GET ${opts.path ?? 'data/'}?${query(params)}: ${res.status} ${res.text}`);
    assert.ok(Array.isArray(res.body), `expected a JSON array, got ${res.text}`);
    return res;
  };

  const query = (params: Params) => {
    const q = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) for (const v of [value].flat()) q.append(name, v);
    return q.toString();
  };

  const request = (
    params: Params = {},
    opts: { token?: string | null; path?: string; expand?: boolean; method?: string } = {},
  ) => {
    const qs = query(params);
    return server.request<Summary[]>(opts.method ?? 'GET', `${opts.path ?? 'data/'}${qs ? `?${qs}` : ''}`, {
      token: opts.token,
      headers: opts.expand ? { expand: 'list' } : {},
    });
  };

  const idsOf = (res: ApiResponse<Summary[]>) => res.body.map((row) => row.id);

  /** Exactly these items (any order), and an X-Resource-Range that counts only them. */
  const assertItems = (res: ApiResponse<Summary[]>, expected: number[], what: string) => {
    assert.deepEqual(sortedIds(idsOf(res)), sortedIds(expected), `${what}: ids (titles ${res.body.map((r) => r.title).join(' | ')})`);
    assert.equal(res.headers.get('x-resource-range'), `0-${expected.length}/${expected.length}`, `${what}: X-Resource-Range`);
  };

  const expectSearch = async (params: Params, expected: number[], opts: { token?: string | null; path?: string } = {}) =>
    assertItems(await search(params, opts), expected, `${opts.path ?? 'data/'}?${query(params)}`);

  const waitForImport = async (versionUrl: string): Promise<Layer> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const body = await get<Layer>(versionUrl);
      if (!importing.includes(body.version.status)) {
        assert.equal(body.version.status, 'ok', `import of ${versionUrl}: ${JSON.stringify(body.version)}`);
        return body;
      }
      assert.ok(Date.now() < deadline, `import of ${versionUrl} did not finish in 30 s`);
      await sleep(50);
    }
  };

  const createImported = async (collection: 'layers/' | 'tables/', body: Record<string, unknown>): Promise<Layer> => {
    const res = await server.request('POST', collection, { body });
    assert.equal(res.status, 201, `POST ${collection}: ${res.text}`);
    return waitForImport((res.body as Layer).version.url);
  };

  const publish = async (layer: Layer): Promise<void> => {
    const res = await server.request('POST', `${layer.version.url}publish/`, { body: {} });
    assert.equal(res.status, 201, `publish ${layer.title}: ${res.text}`);
    const deadline = Date.now() + 30_000;
    let state = res.body.state as string;
    while (['pending', 'publishing'].includes(state)) {
      assert.ok(Date.now() < deadline, `publish of ${layer.title} did not finish`);
      await sleep(50);
      state = (await get(res.body.url)).state;
    }
    assert.equal(state, 'completed', `publish of ${layer.title}`);
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-catalog-'));
    const atlas = packagedData('world-atlas/countries-110m.json');
    const gpkg = join(work, 'countries.gpkg');
    let first = true;
    for (const [key, name] of Object.entries(countries)) {
      ogr2ogr([
        '-f', 'GPKG', ...(first ? [] : ['-update']), '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON',
        '-where', `name = '${name}'`, '-nln', key, gpkg, atlas, 'countries',
      ]);
      first = false;
    }
    const info = ogrInfo(gpkg);
    extents = Object.fromEntries(
      Object.keys(countries).map((key) => {
        const layer = info.find((l) => l.name === key);
        assert.ok(layer?.extent && layer.featureCount === 1, `ogrinfo: ${key} ${JSON.stringify(layer)}`);
        return [key, layer.extent];
      }),
    ) as Record<Country, Bbox>;
    // The bbox cases below rely on these, so check them against GDAL's view of the data.
    assert.ok(extents.nz[0] > 160 && extents.nz[2] < 180 && extents.nz[1] > -50 && extents.nz[3] < -30, `NZ extent ${extents.nz}`);
    assert.ok(extents.au[0] > 110 && extents.au[2] < 158 && extents.au[1] > -45 && extents.au[3] < -9, `Australia extent ${extents.au}`);

    const csv = join(work, 'readings.csv');
    writeFileSync(csv, 'station,rainfall,recorded\nWLG,1249,2023\nAKL,1212,2023\nCHC,618,2023\n');

    server = await startTestServer();
    defaultGroup = ((await get('groups/?name=Default')) as Array<{ id: number }>)[0]!.id;
    const archive = await server.request('POST', 'groups/', { body: { name: 'Archive' } });
    assert.equal(archive.status, 201, archive.text);
    archiveGroup = archive.body.id;
    const elsewhere = await server.request('POST', 'groups/', { body: { name: 'Elsewhere' } });
    assert.equal(elsewhere.status, 201, elsewhere.text);

    member = await createUserWithToken(server, 'member', 'catalog layers:read');
    outsider = await createUserWithToken(server, 'outsider', 'catalog layers:read');
    noScope = await createUserWithToken(server, 'noscope', 'layers:read');
    for (const [group, user, role] of [
      [defaultGroup, member.id, 'viewer'],
      [defaultGroup, noScope.id, 'viewer'],
      [elsewhere.body.id as number, outsider.id, 'editor'],
    ] as const) {
      const res = await server.request('POST', `groups/${group}/members/`, { body: { user, role } });
      assert.ok([200, 201].includes(res.status), res.text);
    }

    const allLicenses = await get<License[]>('licenses/?page_size=100');
    for (const type of ['cc-by', 'cc-by-sa', 'cc-by-nd', 'cc-by-nc']) {
      const found = allLicenses.find((l) => l.type === type && l.version === '4.0');
      assert.ok(found, `a seeded ${type} 4.0 license in ${JSON.stringify(allLicenses)}`);
      licenses[type] = found;
    }
    const cc0 = allLicenses.find((l) => l.type === 'public-domain' && /CC0/.test(l.title));
    assert.ok(cc0, 'the seeded CC0 license');
    licenses['public-domain'] = cc0;

    const upload = async (title: string, path: string): Promise<Datasource[]> => {
      const res = await uploadSource(server, title, [part(path)]);
      assert.equal(res.status, 201, `upload ${title}: ${res.text}`);
      const scan = await waitForScan(server, res.body.id as number);
      assert.equal(scan.status, 'completed', `scan of ${title}: ${JSON.stringify(scan)}`);
      return get<Datasource[]>(`sources/${res.body.id}/datasources/?page_size=100`);
    };
    const [countryDs, tableDs] = await Promise.all([upload('Countries', gpkg), upload('Readings', csv)]);
    countryDatasources = Object.fromEntries(
      Object.keys(countries).map((key) => {
        const ds = countryDs.find((d) => d.layer === key);
        assert.ok(ds, `datasource ${key} in ${JSON.stringify(countryDs)}`);
        return [key, ds];
      }),
    ) as Record<Country, Datasource>;
    assert.equal(tableDs[0]?.data_type, 'table', JSON.stringify(tableDs));

    const ds = (key: Country) => ({ datasources: [countryDatasources[key].id] });
    [nz, au, br, no, ke, table] = await Promise.all([
      // A long description (no "coastline" in it) makes this document longer than Australia's,
      // so only a title that weighs more than a description ranks it first for "coastline".
      createImported('layers/', {
        title: 'New Zealand coastline',
        description:
          'Outline of the North Island and the South Island with nearby small islands, cut from the Natural Earth small scale ' +
          'country polygons for overview maps of the southern ocean and the wider region around the Tasman Sea.',
        tags: ['islands', 'pacific'],
        categories: ['boundaries'],
        license: licenses['cc-by']!.id,
        group: defaultGroup,
        data: ds('nz'),
      }),
      createImported('layers/', { title: 'Australia outline', group: defaultGroup, data: ds('au') }),
      createImported('layers/', {
        title: 'Brazil border',
        description: 'Amazon basin nation, for deforestation studies.',
        tags: ['amazon', 'southamerica'],
        categories: ['environment'],
        license: licenses['public-domain']!.id,
        group: defaultGroup,
        data: ds('br'),
      }),
      createImported('layers/', {
        title: 'Norway fjords',
        description: 'Scandinavian shoreline.',
        tags: ['arctic', 'scandinavia'],
        categories: ['boundaries'],
        license: licenses['cc-by-nc']!.id,
        group: archiveGroup,
        data: ds('no'),
      }),
      createImported('layers/', {
        title: 'Kenya savanna',
        description: 'East African highlands.',
        tags: ['africa'],
        categories: ['environment'],
        group: defaultGroup,
        data: ds('ke'),
      }),
      createImported('tables/', {
        title: 'Weather station readings',
        description: 'Yearly totals from three stations.',
        tags: ['weather'],
        categories: ['climate'],
        license: licenses['cc-by-nd']!.id,
        group: defaultGroup,
        data: { datasources: [tableDs[0]!.id] },
      }),
    ]);

    // Australia's metadata comes from editing the draft, which must re-index it.
    const edit = await server.request('PUT', au.version.url, {
      body: {
        description: 'Coastline of the mainland and Tasmania.',
        tags: ['continent', 'pacific'],
        categories: ['boundaries'],
        license: licenses['cc-by-sa']!.id,
      },
    });
    assert.equal(edit.status, 200, edit.text);

    await Promise.all([nz, au, br, no, table].map(publish));
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('the lists', () => {
    it('/data/ lists the published layers and tables as summaries, newest change first', async () => {
      const res = await search();
      assertItems(res, published(), 'data/');
      const byId = new Map(res.body.map((row) => [row.id, row]));
      const row = byId.get(nz.id)!;
      assert.equal(row.title, 'New Zealand coastline');
      assert.equal(row.type, 'layer');
      assert.equal(row.kind, 'vector');
      assert.equal(row.url, nz.url);
      assert.deepEqual(row.tags, ['islands', 'pacific']);
      assert.equal(row.extent?.type, 'Polygon');
      assert.equal(row.data, undefined, 'a summary has no data');
      const t = byId.get(table.id)!;
      assert.equal(t.type, 'table');
      assert.equal(t.kind, 'table');
      assert.equal(t.url, table.url);
      assert.equal(t.extent, null, 'a table has no extent');
      assert.deepEqual(byId.get(au.id)!.tags, ['continent', 'pacific'], 'edits to the draft reached the catalog');
      const updated = res.body.map((r) => r.updated_at);
      assert.deepEqual(updated, [...updated].sort().reverse(), 'default order is -updated_at');
    });

    it('/data/latest/ includes the draft; version.status filters it; /data/ never shows it', async () => {
      const latest = await search({}, { path: 'data/latest/' });
      assertItems(latest, [...published(), ke.id], 'data/latest/');
      assert.equal(latest.body.find((r) => r.id === ke.id)?.version.status, 'ok');
      await expectSearch({ 'version.status': 'ok' }, [...published(), ke.id], { path: 'data/latest/' });
      await expectSearch({ 'version.status': 'error' }, [], { path: 'data/latest/' });
      await expectSearch({ q: 'savanna' }, [ke.id], { path: 'data/latest/' });
      await expectSearch({ q: 'savanna' }, []);
      await expectSearch({ category: 'environment' }, [br.id, ke.id], { path: 'data/latest/' });
      await expectSearch({ category: 'environment' }, [br.id]);
      assertBadRequest(await request({ 'version.status': 'done' }, { path: 'data/latest/' }), 'query.version.status', 'an unknown status');
      // The published catalog has no version.status filter.
      assertBadRequest(await request({ 'version.status': 'ok' }), 'query.version.status', 'version.status on /data/');
    });

    it('Expand: list gives full layer objects with data.fields; summaries do not', async () => {
      const full = await search({ sort: 'name' }, { expand: true });
      assert.equal(full.body.length, published().length);
      const t = full.body.find((r) => r.id === table.id) as any;
      assert.ok(t, 'the table is in the expanded list');
      assert.deepEqual(
        (t.data.fields as Array<{ name: string }>).map((f) => f.name).filter((n) => ['station', 'rainfall', 'recorded'].includes(n)),
        ['station', 'rainfall', 'recorded'],
        JSON.stringify(t.data.fields),
      );
      const n = full.body.find((r) => r.id === nz.id) as any;
      assert.ok(Array.isArray(n.data?.fields) && n.data.fields.some((f: { name: string }) => f.name === 'name'), JSON.stringify(n.data));
      assert.equal(n.data.feature_count, 1);
      const latest = await search({ q: 'kenya' }, { path: 'data/latest/', expand: true });
      assert.equal((latest.body[0] as any)?.data?.feature_count, 1, 'the draft expands too');
      const summaries = await search({ sort: 'name' });
      for (const row of summaries.body) assert.equal(row.data, undefined, `summary of ${row.title} has data`);
    });

    it('HEAD /data/ gives the same X-Resource-Range and Link as GET, without a body', async () => {
      const cases: Params[] = [{}, { q: 'pacific' }, { page_size: '2', sort: 'name' }, { page_size: '2', page: '2', sort: 'name' }];
      for (const params of cases) {
        const get = await search(params);
        const head = await request(params, { method: 'HEAD' });
        assert.equal(head.status, 200, head.text);
        assert.equal(head.text, '');
        assert.equal(head.headers.get('x-resource-range'), get.headers.get('x-resource-range'), `HEAD ${query(params)}`);
        assert.equal(head.headers.get('link'), get.headers.get('link'), `HEAD ${query(params)} Link`);
      }
    });
  });

  describe('q: full-text search', () => {
    it('finds a word of a title, a word only in a description, a tag, a category and a field name', async () => {
      await expectSearch({ q: 'fjords' }, [no.id]);
      await expectSearch({ q: 'basin' }, [br.id]);
      await expectSearch({ q: 'scandinavia' }, [no.id]);
      await expectSearch({ q: 'climate' }, [table.id]);
      // "rainfall" is only a column name of the table.
      await expectSearch({ q: 'rainfall' }, [table.id]);
      await expectSearch({ q: 'Weather' }, [table.id], {});
      await expectSearch({ q: 'WEATHER station' }, [table.id]);
    });

    it('takes the last word as a prefix, and ANDs the words', async () => {
      await expectSearch({ q: 'zeal' }, [nz.id]);
      await expectSearch({ q: 'new zeal' }, [nz.id]);
      await expectSearch({ q: 'pacific' }, [nz.id, au.id]);
      await expectSearch({ q: 'pacific islands' }, [nz.id]);
      await expectSearch({ q: 'pacific isl' }, [nz.id]);
      await expectSearch({ q: 'pacific amazon' }, []);
      // Only the last word is a prefix.
      await expectSearch({ q: 'zeal coastline' }, []);
      await expectSearch({ q: 'xyzzy' }, []);
    });

    it('ranks a title match before a description-only match of the same word', async () => {
      // NZ has "coastline" in its title; Australia only in its (shorter) description.
      const res = await search({ q: 'coastline' });
      assert.deepEqual(idsOf(res), [nz.id, au.id], `order: ${res.body.map((r) => r.title).join(' | ')}`);
      // Relevance is the default with q; sort overrides it.
      const byName = await search({ q: 'coastline', sort: 'name' });
      assert.deepEqual(idsOf(byName), [au.id, nz.id]);
      const explicit = await search({ q: 'coastline', sort: 'relevance' });
      assert.deepEqual(idsOf(explicit), [nz.id, au.id]);
    });

    it('treats punctuation and FTS operators in q as text, never a 500', async () => {
      const texts = ['"OR" NOT*(', 'AND', 'NEAR(a b)', 'zealand OR brazil', '-pacific', 'title:norway', '*', '"', '()', '^', ':', '  ', '', "o'brien", 'a"b', '{x}', '\u00e9\u00e9', '%_\\'];
      const failures: string[] = [];
      for (const q of texts) {
        for (const path of ['data/', 'data/latest/']) {
          const res = await request({ q }, { path });
          const ok = res.status === 200 && Array.isArray(res.body);
          // A q without a single word may also be refused, as long as the 400 names it.
          const refused = !/[\p{L}\p{N}]/u.test(q) && res.status === 400 && locations(res).includes('query.q');
          if (!ok && !refused) failures.push(`${path}?q=${JSON.stringify(q)}: ${res.status} ${(res.body as { code?: string } | undefined)?.code ?? res.text}`);
        }
      }
      assert.deepEqual(failures, [], 'every q answers 200 with a list (or, without any word, a 400 naming query.q)');
      // Operators are words: "OR" does not widen a search into a union.
      await expectSearch({ q: 'zealand OR brazil' }, []);
      await expectSearch({ q: 'title:norway' }, []);
    });
  });

  describe('bbox', () => {
    it('intersects by default, and with within and contains, using the items\' extents', async () => {
      const aroundNz = '160,-50,180,-30';
      const aroundBoth = '110,-50,180,-5';
      const straddling = '150,-40,170,-30'; // overlaps both, holds neither
      await expectSearch({ bbox: aroundNz }, [nz.id]);
      await expectSearch({ 'bbox.intersects': aroundNz }, [nz.id]);
      await expectSearch({ bbox: aroundBoth }, [nz.id, au.id]);
      await expectSearch({ bbox: straddling }, [nz.id, au.id]);
      await expectSearch({ 'bbox.within': aroundNz }, [nz.id]);
      await expectSearch({ 'bbox.within': aroundBoth }, [nz.id, au.id]);
      await expectSearch({ 'bbox.within': straddling }, []);
      await expectSearch({ 'bbox.contains': '130,-30,135,-25' }, [au.id]);
      await expectSearch({ 'bbox.contains': '172,-42,173,-41' }, [nz.id]);
      await expectSearch({ 'bbox.contains': aroundBoth }, []);
      await expectSearch({ bbox: '-180,-90,180,90' }, [nz.id, au.id, br.id, no.id], {});
      await expectSearch({ bbox: '-10,-10,-5,-5' }, []);
      await expectSearch({ bbox: '30,-10,50,10' }, [], {}); // Kenya, a draft
      await expectSearch({ bbox: '30,-10,50,10' }, [ke.id], { path: 'data/latest/' });
      await expectSearch({ bbox: aroundBoth, q: 'pacific islands' }, [nz.id]);
    });

    it('refuses a bad bbox with 400 naming it', async () => {
      for (const [param, value, what] of [
        ['bbox', '160,-50,180', 'three numbers'],
        ['bbox', '160,-50,180,-30,5', 'five numbers'],
        ['bbox', 'new,zealand,is,here', 'text'],
        ['bbox', '180,-50,160,-30', 'minx > maxx'],
        ['bbox', '160,-30,180,-50', 'miny > maxy'],
        ['bbox', '0,0,10,95', 'latitude 95'],
        ['bbox', '-200,0,10,10', 'longitude -200'],
        ['bbox', '', 'empty'],
        ['bbox.within', '1,2,3', 'within, three numbers'],
        ['bbox.contains', '0,-95,10,10', 'contains, latitude -95'],
      ] as const) {
        assertBadRequest(await request({ [param]: value }), 'query.bbox', `${param}=${value} (${what})`);
      }
      assertBadRequest(await request({ 'bbox.overlaps': '160,-50,180,-30' }), 'query.bbox.overlaps', 'an unknown spatial relation');
    });
  });

  describe('filters', () => {
    it('kind and type', async () => {
      await expectSearch({ kind: 'table' }, [table.id]);
      await expectSearch({ kind: 'vector' }, [nz.id, au.id, br.id, no.id]);
      await expectSearch({ type: 'table' }, [table.id]);
      await expectSearch({ type: 'layer' }, [nz.id, au.id, br.id, no.id]);
      await expectSearch({ type: 'set' }, []);
      await expectSearch({ type: 'document' }, []);
      assertBadRequest(await request({ kind: 'raster' }), 'query.kind', 'kind=raster');
      assertBadRequest(await request({ type: 'map' }), 'query.type', 'type=map');
    });

    it('license and license.type (exact, or cc for the whole family)', async () => {
      await expectSearch({ license: String(licenses['cc-by']!.id) }, [nz.id]);
      await expectSearch({ license: String(licenses['public-domain']!.id) }, [br.id]);
      await expectSearch({ 'license.type': 'public-domain' }, [br.id]);
      await expectSearch({ 'license.type': 'cc-by-sa' }, [au.id]);
      await expectSearch({ 'license.type': 'cc-by-nc' }, [no.id]);
      // Exact: cc-by is not cc-by-sa, cc-by-nd or cc-by-nc.
      await expectSearch({ 'license.type': 'cc-by' }, [nz.id]);
      await expectSearch({ 'license.type': 'cc' }, [nz.id, au.id, no.id, table.id]);
      await expectSearch({ 'license.type': 'custom' }, []);
      assertBadRequest(await request({ license: 'cc-by' }), 'query.license', 'license=cc-by (not an id)');
    });

    it('tag, category and group', async () => {
      await expectSearch({ tag: 'pacific' }, [nz.id, au.id]);
      await expectSearch({ tag: 'islands' }, [nz.id]);
      await expectSearch({ tag: 'island' }, [], {}); // exact, not a prefix
      await expectSearch({ tag: ['amazon', 'weather'] }, [br.id, table.id]); // repeated values are ORed
      await expectSearch({ category: 'boundaries' }, [nz.id, au.id, no.id]);
      await expectSearch({ category: 'boundaries', tag: 'pacific' }, [nz.id, au.id]);
      await expectSearch({ category: 'boundaries', tag: 'arctic' }, [no.id]);
      await expectSearch({ group: String(archiveGroup) }, [no.id]);
      await expectSearch({ group: String(defaultGroup) }, [nz.id, au.id, br.id, table.id]);
      assertBadRequest(await request({ group: 'Archive' }), 'query.group', 'group by name');
    });

    it('created_at and updated_at with gt/gte/lt/lte; a bad date is a 400', async () => {
      const rows = (await search()).body;
      const all = published();
      await expectSearch({ 'created_at.gte': '2999-01-01' }, []);
      await expectSearch({ 'created_at.lte': '2999-01-01T00:00:00Z' }, all);
      await expectSearch({ 'created_at.gt': '2000-01-01' }, all);
      await expectSearch({ 'created_at.lt': '2000-01-01' }, []);
      await expectSearch({ 'updated_at.gte': '2999-01-01' }, []);
      await expectSearch({ 'updated_at.lt': '2999-01-01' }, all);

      // Boundaries, with the server's own timestamps.
      const newest = rows.map((r) => r.updated_at).sort().at(-1)!;
      const atNewest = rows.filter((r) => r.updated_at === newest).map((r) => r.id);
      await expectSearch({ 'updated_at.gte': newest }, atNewest);
      await expectSearch({ 'updated_at.gt': newest }, []);
      await expectSearch({ 'updated_at.lt': newest }, all.filter((id) => !atNewest.includes(id)));
      const oldest = rows.map((r) => r.created_at).sort()[0]!;
      const atOldest = rows.filter((r) => r.created_at === oldest).map((r) => r.id);
      await expectSearch({ 'created_at.lte': oldest }, atOldest);
      await expectSearch({ created_at: oldest }, atOldest);

      for (const [param, value] of [
        ['created_at.gte', 'yesterday'],
        ['created_at.gte', '2024-13-45'],
        ['created_at', '01/05/2024'],
        ['updated_at.lt', '2024-05-01T25:99:00Z'],
        ['updated_at.lte', ''],
      ] as const) {
        assertBadRequest(await request({ [param]: value }), `query.${param}`, `${param}=${value}`);
      }
    });

    it('refuses an unknown filter or lookup with 400 naming it', async () => {
      assertBadRequest(await request({ colour: 'red' }), 'query.colour', 'unknown filter');
      assertBadRequest(await request({ 'created_at.between': '2024-01-01' }), 'query.created_at.between', 'unknown lookup');
      assertBadRequest(await request({ 'title.icontains': 'zealand' }), 'query.title.icontains', 'title is not a filter');
      assertBadRequest(await request({ public: 'maybe' }), 'query.public', 'public=maybe');
    });
  });

  describe('sorting', () => {
    it('by name and -name, and title', async () => {
      const titles = (await search({ sort: 'name' })).body.map((r) => r.title);
      assert.equal(titles.length, published().length);
      assert.deepEqual(titles, [...titles].sort());
      assert.deepEqual((await search({ sort: '-name' })).body.map((r) => r.title), [...titles].reverse());
      assert.deepEqual((await search({ sort: 'title' })).body.map((r) => r.title), titles);
      const created = (await search({ sort: 'created_at' })).body.map((r) => r.created_at);
      assert.deepEqual(created, [...created].sort());
    });

    it('by popularity: each GET of a detail counts', async () => {
      for (let i = 0; i < 3; i++) await get(br.url);
      await get(table.url);
      const res = await search({ sort: '-popularity' });
      assert.deepEqual(idsOf(res).slice(0, 2), [br.id, table.id], res.body.map((r) => r.title).join(' | '));
      const ascending = await search({ sort: 'popularity' });
      assert.deepEqual(idsOf(ascending).slice(-2), [table.id, br.id]);
    });

    it('allows relevance without q, and refuses an unknown sort with 400', async () => {
      const res = await search({ sort: 'relevance' });
      assert.deepEqual(sortedIds(idsOf(res)), sortedIds(published()));
      assertBadRequest(await request({ sort: 'colour' }), 'query.sort', 'sort=colour');
      assertBadRequest(await request({ sort: '-size' }), 'query.sort', 'sort=-size');
      assertBadRequest(await request({ sort: 'version.status' }, { path: 'data/latest/' }), 'query.sort', 'sort=version.status');
    });
  });

  describe('paging', () => {
    /** Follows page-next links from `first`, returning every page's ids. */
    const follow = async (first: string, token?: string, between?: (page: number) => Promise<void>) => {
      const pages: number[][] = [];
      const ranges: string[] = [];
      let next: string | undefined = first;
      while (next) {
        const res: ApiResponse<Summary[]> = await server.request<Summary[]>('GET', next, { token });
        assert.equal(res.status, 200, `GET ${next}: ${res.text}`);
        pages.push(idsOf(res));
        ranges.push(res.headers.get('x-resource-range') ?? '');
        next = parseLinks(res.headers.get('link'))['page-next'];
        assert.ok(pages.length < 20, 'too many pages');
        if (next && between) await between(pages.length);
      }
      return { pages, ranges };
    };

    it('page_size=2: Link page-next/previous/last and X-Resource-Range; every item once', async () => {
      const n = published().length;
      const first = await search({ page_size: '2', sort: 'name' });
      assert.equal(first.body.length, 2);
      assert.equal(first.headers.get('x-resource-range'), `0-2/${n}`);
      assert.equal(first.headers.get('x-paginate-by'), '2');
      const links = parseLinks(first.headers.get('link'));
      assert.ok(links['page-next'], `page-next in ${first.headers.get('link')}`);
      assert.equal(links['page-previous'], undefined);
      assert.ok(links['page-last'], 'page-last');
      assert.match(links['page-next']!, /[?&]sort=name(&|$)/, 'links keep the sort');
      assert.equal(new URL(links['page-last']!).searchParams.get('page'), String(Math.ceil(n / 2)));

      const { pages, ranges } = await follow(`data/?page_size=2&sort=name`);
      assert.deepEqual(ranges, Array.from({ length: Math.ceil(n / 2) }, (_, i) => `${i * 2}-${Math.min(n, i * 2 + 2)}/${n}`));
      const seen = pages.flat();
      assert.deepEqual(sortedIds(seen), sortedIds(published()), 'every item exactly once');

      const last = await server.request('GET', links['page-last']!);
      assert.ok(parseLinks(last.headers.get('link'))['page-previous'], 'page-previous on the last page');
      const past = await request({ page_size: '2', page: String(Math.ceil(n / 2) + 1) });
      assert.equal(past.status, 404, past.text);
    });

    it('a layer published between pages does not repeat or drop items', async () => {
      const before = published();
      // It sorts first by name, so it lands on the page already read.
      const draft = await createImported('layers/', { title: 'Aardvark sightings', group: defaultGroup, data: { datasources: [countryDatasources.ke.id] } });
      const { pages } = await follow('data/?page_size=2&sort=name', undefined, async (page) => {
        if (page === 1) {
          await publish(draft);
          aardvark = draft;
        }
      });
      const seen = pages.flat();
      const repeated = seen.filter((id, i) => seen.indexOf(id) !== i);
      assert.deepEqual(repeated, [], `ids seen twice while paging: ${JSON.stringify(pages)}`);
      for (const id of before) assert.ok(seen.includes(id), `item ${id} was skipped while paging: ${JSON.stringify(pages)}`);
      // It is in the catalog now.
      await expectSearch({ q: 'aardvark' }, [draft.id]);
    });

    it('page_size out of range is a 400', async () => {
      assertBadRequest(await request({ page_size: '0' }), 'query.page_size', 'page_size=0');
      assertBadRequest(await request({ page_size: '5000' }), 'query.page_size', 'page_size=5000');
      assertBadRequest(await request({ page: '-1' }), 'query.page', 'page=-1');
    });
  });

  describe('visibility', () => {
    const visibleTo = {
      // Default-group viewer: the Default group's items, not the Archive group's Norway.
      member: () => published().filter((id) => id !== no.id),
    };

    it('a member of the owning group sees its items, and only those', async () => {
      await expectSearch({}, visibleTo.member(), { token: member.token });
      // Kenya is a draft: its unpublished version is for those who may edit, not for viewers.
      await expectSearch({}, visibleTo.member(), { token: member.token, path: 'data/latest/' });
      await expectSearch({ q: 'fjords' }, [], { token: member.token });
      await expectSearch({ tag: 'arctic' }, [], { token: member.token });
      await expectSearch({ group: String(archiveGroup) }, [], { token: member.token });
      await expectSearch({ q: 'coastline' }, [nz.id, au.id], { token: member.token });
    });

    it('a user of another group sees nothing: empty lists, 0-0/0, empty searches', async () => {
      for (const path of ['data/', 'data/latest/']) {
        const res = await search({}, { token: outsider.token, path });
        assert.deepEqual(res.body, [], `${path} for the outsider`);
        assert.equal(res.headers.get('x-resource-range'), '0-0/0', `${path} X-Resource-Range`);
        const head = await request({}, { token: outsider.token, path, method: 'HEAD' });
        assert.equal(head.headers.get('x-resource-range'), '0-0/0', `HEAD ${path}`);
      }
      const cases: Params[] = [
        { q: 'zealand' },
        { q: 'coastline' },
        { q: 'rainfall' },
        { bbox: '-180,-90,180,90' },
        { 'bbox.within': '160,-50,180,-30' },
        { 'license.type': 'cc' },
        { tag: 'pacific' },
        { kind: 'table' },
        { group: String(defaultGroup) },
        { sort: '-popularity' },
        { page_size: '1' },
      ];
      for (const params of cases) {
        await expectSearch(params, [], { token: outsider.token });
        await expectSearch(params, [], { token: outsider.token, path: 'data/latest/' });
      }
      await expectSearch({}, [], { token: null });
    });

    it('a token without the catalog scope gets 403', async () => {
      for (const path of ['data/', 'data/latest/']) {
        const res = await request({}, { token: noScope.token, path });
        assert.equal(res.status, 403, `${path}: ${res.status} ${res.text}`);
        assert.equal(res.headers.get('accepted-oauth-scopes'), 'catalog');
      }
    });

    it('group.everyone makes an item public: anonymous and outsiders see only it; public= filters', async () => {
      const grant = await server.request('POST', `${nz.url}permissions/`, { body: { id: 'group.everyone', permission: 'view' } });
      assert.ok([200, 201].includes(grant.status), grant.text);

      for (const token of [null, outsider.token]) {
        const who = token === null ? 'anonymous' : 'outsider';
        await expectSearch({}, [nz.id], { token });
        await expectSearch({}, [nz.id], { token, path: 'data/latest/' });
        await expectSearch({ q: 'zeal' }, [nz.id], { token });
        await expectSearch({ q: 'coastline' }, [nz.id], { token }); // Australia also matches, privately
        await expectSearch({ bbox: '110,-50,180,-5' }, [nz.id], { token });
        await expectSearch({ public: 'true' }, [nz.id], { token });
        await expectSearch({ public: 'false' }, [], { token });
        await expectSearch({ 'license.type': 'cc' }, [nz.id], { token });
        const full = await search({}, { token, expand: true });
        assert.deepEqual(idsOf(full), [nz.id], `${who}: Expand: list`);
        const paged = await search({ page_size: '1' }, { token });
        assert.equal(paged.headers.get('x-resource-range'), '0-1/1', `${who}: paged total`);
        assert.equal(parseLinks(paged.headers.get('link'))['page-next'], undefined, `${who}: no page-next`);
      }

      await expectSearch({ public: 'true' }, [nz.id]);
      await expectSearch({ public: 'false' }, published().filter((id) => id !== nz.id));
      await expectSearch({ public: 'false' }, visibleTo.member().filter((id) => id !== nz.id), { token: member.token });
    });
  });

  describe('keeping the index up to date', () => {
    it('a new draft of a published layer shows in /data/latest/ only, until it is published', async () => {
      const created = await server.request('POST', `${br.url}versions/`, { body: {} });
      assert.equal(created.status, 201, created.text);
      const draft = created.body as Layer;
      const edit = await server.request('PUT', draft.version.url, { body: { title: 'Brazil border revised', tags: ['amazon', 'revision'] } });
      assert.equal(edit.status, 200, edit.text);

      await expectSearch({ q: 'revised' }, [br.id], { path: 'data/latest/' });
      await expectSearch({ tag: 'revision' }, [br.id], { path: 'data/latest/' });
      await expectSearch({ q: 'revised' }, []);
      await expectSearch({ tag: 'revision' }, []);
      const row = (await search({ q: 'brazil' })).body.find((r) => r.id === br.id);
      assert.equal(row?.title, 'Brazil border', 'the published catalog keeps the published title');
      const latestRow = (await search({ q: 'brazil' }, { path: 'data/latest/' })).body.find((r) => r.id === br.id);
      assert.equal(latestRow?.version.id, draft.version.id);

      await publish(draft);
      await expectSearch({ q: 'revised' }, [br.id]);
      await expectSearch({ tag: 'revision' }, [br.id]);
    });

    it('a deleted layer leaves both views', async () => {
      assert.ok(aardvark, 'the paging test published aardvark');
      const del = await server.request('DELETE', aardvark.url);
      assert.equal(del.status, 204, del.text);
      const gone = aardvark.id;
      aardvark = undefined;
      await expectSearch({ q: 'aardvark' }, []);
      await expectSearch({ q: 'aardvark' }, [], { path: 'data/latest/' });
      await expectSearch({}, published());
      await expectSearch({}, [...published(), ke.id], { path: 'data/latest/' });
      assert.ok(!published().includes(gone));
    });
  });
});
