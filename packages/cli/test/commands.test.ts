/**
 * Every `mapshelf` command, run as a child process (packages/cli/dist/bin.js, built by
 * `npx tsc -b`) against a real Mapshelf server started in this process with real GDAL.
 * Each test has its own configuration folder (XDG_CONFIG_HOME) and sets only the MAPSHELF_*
 * variables it means to; stdout and stderr are pipes, as in a script.
 *
 * Where practical a command's whole `--json` output is compared, volatile values normalised,
 * with what the server itself answers over HTTP for the same thing.
 *
 * Data: a few countries cut from the packaged world-atlas countries-110m with ogr2ogr (New
 * Zealand and Australia; Chile and Argentina; Iceland and Ireland; South Africa and Madagascar)
 * and two small CSV tables. Expected counts and extents come from ogrinfo and ogr2ogr run here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ExitCode } from '../src/exit-codes.js';
import { adminToken, createUserWithToken, startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { importedLayer, ogr2ogr, publishedLayer, type PublishedLayer as ServerLayer } from '../../server/test/helpers/published-layers.js';
import { ogrInfo, packagedData, part, uploadSource, waitForScan, zipFiles } from '../../server/test/helpers/uploads.js';
import {
  assertDebugFailure,
  assertFailure,
  assertOk,
  cliRuns,
  CliUser,
  describeRun,
  lines,
  literal,
  normalize,
  parseJson,
  shownDate,
  sleep,
  tableRows,
  tempFolder,
  type CliRun,
} from './helpers/cli.js';

const execFileAsync = promisify(execFile);

/** A layer or table as the server sends it. */
type PublishedLayer = ServerLayer & { published_at: string | null };

/** `key: value` lines (a command's details) as an object; stops at the first blank line. */
function detailsOf(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of lines(text)) {
    if (!line) break;
    const match = /^([^:]+):\s+(.*)$/.exec(line);
    assert.ok(match, `a "key: value" line: ${line}`);
    result[match[1]!] = match[2]!;
  }
  return result;
}

/** `ogrinfo -so -al` of a dataset, as text (for its CRS). */
async function ogrSummary(path: string): Promise<string> {
  return (await execFileAsync('ogrinfo', ['-ro', '-so', '-al', path])).stdout;
}

/** The entries of a zip file. */
async function zipEntries(zip: string): Promise<string[]> {
  return lines((await execFileAsync('unzip', ['-Z1', zip])).stdout).sort();
}

/** A rectangle in longitude/latitude as a GeoJSON polygon with `perSide` vertices on each side. */
function rectangle([west, south, east, north]: [number, number, number, number], perSide: number): number[][] {
  const ring: number[][] = [];
  for (let i = 0; i < perSide; i++) ring.push([west + ((east - west) * i) / perSide, south]);
  for (let i = 0; i < perSide; i++) ring.push([east, south + ((north - south) * i) / perSide]);
  for (let i = 0; i < perSide; i++) ring.push([east - ((east - west) * i) / perSide, north]);
  for (let i = 0; i < perSide; i++) ring.push([west, north - ((north - south) * i) / perSide]);
  ring.push(ring[0]!);
  return ring;
}

/** Does extent `inner` lie within `outer` (both [minx, miny, maxx, maxy]), give or take `slack`? */
function within(inner: number[], outer: number[], slack: number): boolean {
  return inner[0]! >= outer[0]! - slack && inner[1]! >= outer[1]! - slack && inner[2]! <= outer[2]! + slack && inner[3]! <= outer[3]! + slack;
}

describe('mapshelf commands against a server', () => {
  let server: TestServer;
  let work: string;
  /** The admin at a shell with MAPSHELF_URL and MAPSHELF_TOKEN set. */
  let admin: CliUser;
  /** Replacements for `normalize`: the server URL and the work folder. */
  let volatile: Record<string, string>;

  // Made in `before` over HTTP, so each test stands on its own.
  let tasman: PublishedLayer; // "tasman": New Zealand and Australia, published
  let tasmanSource: number;
  let readings: PublishedLayer; // "readings": a 3-row table, published
  const files: Record<string, string> = {};

  const countriesJson = packagedData('world-atlas/countries-110m.json');
  /** Writes some countries with ogr2ogr: `format`, the layer named `layer`, as multipolygons in EPSG:4326. */
  const countries = (path: string, format: string, layer: string, names: string[]) =>
    ogr2ogr(['-f', format, '-a_srs', 'EPSG:4326', '-nlt', format === 'ESRI Shapefile' ? 'PROMOTE_TO_MULTI' : 'MULTIPOLYGON', '-nln', layer, '-where', `name IN (${names.map((n) => `'${n}'`).join(', ')})`, path, countriesJson, 'countries']);

  /** A GET that must answer 200: the parsed body (or the text, for non-JSON). */
  async function get<T = any>(path: string, headers: Record<string, string> = {}): Promise<T> {
    const res = await server.request('GET', path, { headers });
    assert.equal(res.status, 200, `GET ${path}: ${res.status} ${res.text}`);
    return (res.body ?? res.text) as T;
  }

  /** The `mapshelf.v1` envelope around what the server says, normalised, to compare a whole `--json` output with. */
  const envelope = (value: unknown) => normalize({ mapshelf: { v1: value } }, volatile);

  /** Asserts a whole `--json` output equals `expected` (from the server), both normalised. */
  function assertJson(output: unknown, expected: unknown, message?: string): void {
    assert.deepEqual(normalize(output, volatile), envelope(expected), message);
  }

  const exportCount = async () => (await get<unknown[]>('exports/?page_size=100')).length;

  /** Uploads files as a source over HTTP and waits for its scan; the source id. */
  async function uploadAndScan(title: string, paths: string[]): Promise<number> {
    const res = await uploadSource(server, title, paths.map((p) => part(p)));
    assert.equal(res.status, 201, res.text);
    const scan = await waitForScan(server, res.body.id as number);
    assert.equal(scan.status, 'completed', JSON.stringify(scan));
    return res.body.id as number;
  }

  /** A fresh person at a shell, with a configuration folder of their own. */
  const shell = (env: Record<string, string> = {}) => new CliUser(tempFolder(work, 'home'), env);

  before(async () => {
    work = tempFolder(tmpdir(), 'mapshelf-cli-commands');
    server = await startTestServer();
    volatile = { [server.url]: '<server>', [work]: '<work>' };
    admin = shell({ MAPSHELF_URL: server.url, MAPSHELF_TOKEN: adminToken });

    files.tasman = join(work, 'tasman.gpkg');
    countries(files.tasman, 'GPKG', 'tasman', ['New Zealand', 'Australia']);
    // A zipped Shapefile, made with `zip`.
    mkdirSync(join(work, 'andes-shp'));
    countries(join(work, 'andes-shp', 'andes.shp'), 'ESRI Shapefile', 'andes', ['Chile', 'Argentina']);
    files.andesZip = join(work, 'andes.zip');
    zipFiles(files.andesZip, ['shp', 'shx', 'dbf', 'prj'].map((ext) => join(work, 'andes-shp', `andes.${ext}`)));
    files.islands = join(work, 'islands.gpkg');
    countries(files.islands, 'GPKG', 'islands', ['Iceland', 'Ireland']);
    // A folder holding a Shapefile's loose parts.
    files.capes = join(work, 'capes');
    mkdirSync(files.capes);
    countries(join(files.capes, 'capes.shp'), 'ESRI Shapefile', 'capes', ['South Africa', 'Madagascar']);
    files.codes = join(work, 'codes.csv');
    writeFileSync(files.codes, 'code,label\nA,Alpha\nB,Beta\n');
    files.readings = join(work, 'readings.csv');
    writeFileSync(files.readings, 'station,reading\nST01,0.37\nST02,0.74\nST03,1.11\n');
    // Not a GeoPackage at all.
    files.junk = join(work, 'junk.gpkg');
    writeFileSync(files.junk, 'this is not a GeoPackage\n');
    // New Zealand north of 41° S: the North Island and the top of the South Island (116 vertices).
    files.crop = join(work, 'north.geojson');
    writeFileSync(files.crop, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [rectangle([165, -41, 179, -33], 29)] } }] }));
    // The same area with 1,200 vertices: over the server's limit of 1,000.
    files.bigCrop = join(work, 'detailed.geojson');
    writeFileSync(files.bigCrop, JSON.stringify({ type: 'Polygon', coordinates: [rectangle([165, -41, 179, -33], 300)] }));

    tasmanSource = await uploadAndScan('Tasman', [files.tasman]);
    const [tasmanDs] = await get<Array<{ id: number }>>(`sources/${tasmanSource}/datasources/`);
    tasman = (await publishedLayer(server, 'layers', { title: 'tasman', data: { datasources: [tasmanDs!.id] } })) as PublishedLayer;
    const readingsSource = await uploadAndScan('Readings', [files.readings]);
    const [readingsDs] = await get<Array<{ id: number }>>(`sources/${readingsSource}/datasources/`);
    readings = (await publishedLayer(server, 'tables', { title: 'readings', data: { datasources: [readingsDs!.id] } })) as PublishedLayer;
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('login, whoami, logout and where the connection comes from', () => {
    let alice: { id: number; token: string };
    let bob: { id: number; token: string };
    /** What the server says the token may do (its `OAuth-Scopes`). */
    const scopesOf = async (token: string) => (await server.request('GET', 'users/me/', { token })).headers.get('oauth-scopes')!.split(' ');
    const whoamiJson = async (user: { id: number; username: string; is_admin: boolean }, token: string, profile: string | null) => ({
      url: server.url,
      profile,
      user: { id: user.id, url: `${server.api}users/${user.id}/`, username: user.username, is_admin: user.is_admin },
      scopes: await scopesOf(token),
    });
    /** No token may appear in anything the CLI printed. */
    const assertNoToken = (runs: CliRun[], ...tokens: string[]) => {
      for (const run of runs) for (const token of tokens) assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token), `a token was printed\n${describeRun(run)}`);
    };

    before(async () => {
      alice = await createUserWithToken(server, 'alice', 'users:read layers:read', { first_name: 'Alice', last_name: 'Liddell', email: 'alice@example.org' });
      bob = await createUserWithToken(server, 'bob', 'users:read');
    });

    it('login saves the profile readable by its owner only, never prints the token; whoami shows it; logout forgets it', async () => {
      const me = shell();
      const profilesFile = join(me.configHome, 'mapshelf', 'profiles.json');
      const login = await me.run(['login', '--url', server.url, '--token', adminToken]);
      assertOk(login);
      assert.equal(login.stdout, `Logged in to ${server.url} as admin. Saved as profile "default" in ${profilesFile}.\n`);
      assert.equal(login.stderr, '');
      assert.equal(statSync(profilesFile).mode & 0o777, 0o600, 'profiles.json is mode 0600');
      assert.equal(statSync(join(me.configHome, 'mapshelf')).mode & 0o777, 0o700, 'its folder is mode 0700');
      assert.deepEqual(JSON.parse(readFileSync(profilesFile, 'utf8')), { profiles: { default: { url: server.url, token: adminToken } } });

      // A second profile, the token from MAPSHELF_TOKEN; --json says who and what.
      const second = await me.run(['login', '--profile', 'alice', '--url', server.url, '--json'], { MAPSHELF_TOKEN: alice.token });
      assertOk(second);
      const { user, scopes } = await whoamiJson({ id: alice.id, username: 'alice', is_admin: false }, alice.token, 'alice');
      assertJson(parseJson(second), { profile: 'alice', url: server.url, user, scopes });
      assert.deepEqual(JSON.parse(readFileSync(profilesFile, 'utf8')).profiles.alice, { url: server.url, token: alice.token });
      assert.equal(statSync(profilesFile).mode & 0o777, 0o600, 'still 0600 after a rewrite');

      const whoami = await me.ok(['whoami']);
      assert.equal(
        whoami.stdout,
        [`Server:  ${server.url}`, 'Profile: default', 'User:    admin, site admin', `Scopes:  ${(await scopesOf(adminToken)).join(' ')}`, ''].join('\n'),
      );
      assert.equal(whoami.stderr, '');
      const aliceText = await me.ok(['whoami', '--profile', 'alice']);
      assert.equal(
        aliceText.stdout,
        [`Server:  ${server.url}`, 'Profile: alice', 'User:    alice (Alice Liddell)', 'Email:   alice@example.org', `Scopes:  ${(await scopesOf(alice.token)).join(' ')}`, ''].join('\n'),
      );
      const whoamiJsonRun = await me.ok(['whoami', '--json']);
      assertJson(parseJson(whoamiJsonRun), await whoamiJson({ id: 1, username: 'admin', is_admin: true }, adminToken, 'default'));
      assert.deepEqual(await me.quiet(['whoami']), ['admin']);

      // A token the server refuses is not saved.
      const refused = await me.run(['login', '--profile', 'wrong', '--url', server.url, '--token', 'not-a-token']);
      assertFailure(refused, ExitCode.auth, /refused the token/);
      assert.deepEqual(Object.keys(JSON.parse(readFileSync(profilesFile, 'utf8')).profiles), ['default', 'alice']);

      const logout = await me.ok(['logout', '--profile', 'alice']);
      assert.equal(logout.stdout, 'Forgot profile "alice".\n');
      assert.deepEqual(JSON.parse(readFileSync(profilesFile, 'utf8')), { profiles: { default: { url: server.url, token: adminToken } } });
      assertFailure(await me.run(['whoami', '--profile', 'alice']), ExitCode.config, /^mapshelf: No profile named "alice"\. Create it with `mapshelf login --profile alice --url URL --token TOKEN`\.$/);
      assertJson(parseJson(await me.ok(['logout', '--json'])), { profile: 'default' });
      assertFailure(await me.run(['whoami']), ExitCode.config, /^mapshelf: No server configured\. /);
      assertFailure(await me.run(['logout']), ExitCode.notFound, /^mapshelf: There is no profile named "default"\.$/);

      assertNoToken(cliRuns.filter((run) => run.args[0] === 'login' || run.args[0] === 'whoami' || run.args[0] === 'logout'), adminToken, alice.token);
    });

    it('takes --url/--token over MAPSHELF_URL/MAPSHELF_TOKEN over the profile, and --profile over MAPSHELF_PROFILE', async () => {
      const me = shell();
      await me.ok(['login', '--url', server.url, '--token', adminToken]);
      await me.ok(['login', '--profile', 'bob', '--url', server.url, '--token', bob.token]);
      const who = async (args: string[], env: Record<string, string> = {}) => (await me.json<{ user: { username: string }; profile: string | null }>(['whoami', ...args], env)).mapshelf.v1;

      assert.equal((await who([])).user.username, 'admin', 'the default profile');
      assert.equal((await who([], { MAPSHELF_TOKEN: alice.token })).user.username, 'alice', 'MAPSHELF_TOKEN over the profile');
      assert.equal((await who(['--token', bob.token], { MAPSHELF_TOKEN: alice.token })).user.username, 'bob', '--token over MAPSHELF_TOKEN');

      // MAPSHELF_URL over the profile: an address where nothing listens proves which was used.
      const unreachable = 'http://127.0.0.1:1';
      assertFailure(await me.run(['whoami'], { MAPSHELF_URL: unreachable }), ExitCode.unavailable, /Can't reach the server at http:\/\/127\.0\.0\.1:1\b/);
      assert.equal((await who(['--url', server.url], { MAPSHELF_URL: unreachable })).user.username, 'admin', '--url over MAPSHELF_URL');
      assertFailure(await me.run(['whoami', '--url', unreachable], { MAPSHELF_URL: server.url }), ExitCode.unavailable, /Can't reach the server at http:\/\/127\.0\.0\.1:1\b/);

      // Named profiles: --profile, then MAPSHELF_PROFILE.
      const named = await who(['--profile', 'bob']);
      assert.deepEqual([named.user.username, named.profile], ['bob', 'bob']);
      assert.equal((await who([], { MAPSHELF_PROFILE: 'bob' })).user.username, 'bob', 'MAPSHELF_PROFILE');
      assert.equal((await who(['--profile', 'default'], { MAPSHELF_PROFILE: 'bob' })).user.username, 'admin', '--profile over MAPSHELF_PROFILE');
      // Flags over a named profile's token too.
      assert.equal((await who(['--profile', 'bob', '--token', alice.token])).user.username, 'alice');

      const unknown = await me.run(['whoami', '--profile', 'staging']);
      assertFailure(unknown, ExitCode.config, /^mapshelf: No profile named "staging"\. Create it with `mapshelf login --profile staging --url URL --token TOKEN`\.$/);
      assertFailure(await me.run(['layers', 'list'], { MAPSHELF_PROFILE: 'staging' }), ExitCode.config, /No profile named "staging"/);
    });
  });

  describe('import', () => {
    it('uploads a zipped Shapefile and a GeoPackage in one command, waits and publishes them together', async () => {
      const run = await admin.run(['import', files.andesZip!, files.islands!, '--publish', '--wait', '--json']);
      assertOk(run);
      const output = parseJson<{ source: { id: number }; layers: Array<{ id: number; title: string; url: string; data: { feature_count: number } }>; publish: { id: number } }>(run);
      const { source, layers, publish } = output.mapshelf.v1;
      assert.deepEqual(
        layers.map((l) => [l.title, l.url]),
        [
          ['andes', `${server.api}layers/${layers[0]!.id}/`],
          ['islands', `${server.api}layers/${layers[1]!.id}/`],
        ],
      );
      // Feature counts as ogrinfo reads the files.
      assert.deepEqual(
        layers.map((l) => l.data.feature_count),
        [ogrInfo(join(work, 'andes-shp', 'andes.shp'))[0]!.featureCount, ogrInfo(files.islands!)[0]!.featureCount],
      );

      // Published: in the public list, with their published version imported.
      const published = await get<Array<{ id: number }>>('layers/?page_size=100');
      for (const layer of layers) {
        assert.ok(published.some((l) => l.id === layer.id), `layer ${layer.id} is in the published list`);
        const fetched = await get<PublishedLayer>(`layers/${layer.id}/`);
        assert.equal(fetched.version.status, 'ok');
        assert.ok(fetched.published_at, `layer ${layer.id} is published`);
      }

      // Progress on stderr as plain lines, never in-place redraws.
      const progress = lines(run.stderr);
      for (const expected of [
        /^Uploading 2 files: 100% \([\d.]+ kB \/ [\d.]+ kB\)$/,
        new RegExp(`^Uploaded 2 files \\([\\d.]+ kB\\) as source ${source.id}\\.$`),
        /^Scanning: 100%$/,
        /^Scan found 2 datasets: andes \(.*2 features, EPSG:4326\); islands \(.*2 features, EPSG:4326\)\.$/,
        /^Importing andes: 100%$/,
        new RegExp(`^Imported andes: layer ${layers[0]!.id}\\.$`),
        /^Importing islands: 100%$/,
        /^Published 2 items\.$/,
      ]) {
        assert.ok(progress.some((line) => expected.test(line)), `stderr has a line matching ${expected}\n${run.stderr}`);
      }
      assert.ok(!run.stderr.includes('\r') && !run.stderr.includes('\x1b'), 'no carriage returns or escape codes in a pipe');

      // The whole output is what the server now says of the source (scanned), the layers and the publish request.
      assertJson(output, {
        source: await get(`sources/${source.id}/`),
        layers: await Promise.all(layers.map((l) => get(`layers/${l.id}/`))),
        publish: await get(`publish/${publish.id}/`),
      });
    });

    it('imports a folder, its files under the folder name; --quiet prints only the layer ids', async () => {
      const run = await admin.run(['import', files.capes!, '--wait', '--quiet']);
      assertOk(run);
      assert.equal(run.stderr, '', 'no progress or notes with --quiet');
      const ids = lines(run.stdout);
      assert.equal(ids.length, 1, run.stdout);
      assert.match(ids[0]!, /^\d+$/);
      const layer = await get<PublishedLayer>(`layers/${ids[0]}/`);
      assert.equal(layer.title, 'capes');
      assert.equal(layer.version.status, 'ok');
      assert.equal(layer.published_at, null, 'not published without --publish');
      assert.equal(layer.data.feature_count, ogrInfo(join(files.capes!, 'capes.shp'))[0]!.featureCount);
      // The Shapefile's parts went up together, under the folder's name.
      const sources = await get<Array<{ id: number; title: string }>>('sources/?page_size=100');
      const source = sources.find((s) => s.title === 'capes');
      assert.ok(source, 'a source titled after the folder');
      const datasources = await get<Array<{ upload_path: string; layer: string }>>(`sources/${source.id}/datasources/`);
      assert.deepEqual(datasources.map((d) => d.upload_path), ['capes/capes.shp']);
    });

    it('makes a table of a CSV without geometry; tables list shows it', async () => {
      const run = await admin.run(['import', files.codes!, '--publish', '--wait']);
      assertOk(run);
      const rows = tableRows(run.stdout);
      assert.deepEqual(rows[0], ['TYPE', 'ID', 'TITLE', 'IMPORT', 'URL']);
      assert.equal(rows.length, 2, run.stdout);
      const [type, id, title, status, url] = rows[1]!;
      assert.deepEqual([type, title, status, url], ['table', 'codes', 'ok', `${server.api}tables/${id}/`]);
      assert.match(run.stderr, /^Scan found 1 dataset: codes \(table, 2 features\)\.$/m);

      const list = await admin.run(['tables', 'list']);
      assertOk(list);
      const listed = tableRows(list.stdout);
      assert.deepEqual(listed[0], ['ID', 'TITLE', 'STATUS', 'PUBLISHED', 'URL']);
      const codes = listed.find((row) => row[1] === 'codes');
      assert.ok(codes, list.stdout);
      assert.deepEqual([codes[0], codes[2], codes[4]], [id, 'published', url]);
      assert.match(codes[3]!, shownDate);
      assert.deepEqual(await admin.quiet(['tables', 'list', '--sort', 'title']), [id, String(readings.id)]);
    });

    it("fails with the server's reason when GDAL can't read the file", async () => {
      const layersBefore = (await get<unknown[]>('layers/drafts/?page_size=100')).length;
      const run = await admin.run(['import', files.junk!, '--wait']);
      assert.equal(run.code, ExitCode.failure, describeRun(run));
      const messages = lines(run.stderr).filter((line) => line.startsWith('mapshelf: '));
      assert.equal(messages.length, 1, run.stderr);
      assert.equal(lines(run.stderr).at(-1), messages[0], 'the message is the last line');
      assert.match(messages[0]!, /^mapshelf: The scan of source \d+ ended error: .*junk\.gpkg: GDAL could not read it\b/);
      assert.match(messages[0]!, /Deleted source \d+, which this run had uploaded\.$/);
      const sourceId = /source (\d+) ended/.exec(messages[0]!)![1];
      assert.equal((await server.request('GET', `sources/${sourceId}/`)).status, 404, 'the upload is gone');
      assert.doesNotMatch(run.stderr, /^\s+at /m);
      assert.equal(run.stdout, '');
      assert.equal((await get<unknown[]>('layers/drafts/?page_size=100')).length, layersBefore, 'no layer was created');
    });
  });

  describe('search', () => {
    const urls = async (args: string[]) => admin.quiet(['search', ...args]);
    const urlOf = async (title: string) => String((await get<Array<{ title: string; id: number }>>('data/latest/?page_size=100')).find((i) => i.title === title)!.id);

    it('finds by text, --bbox, --type and --filter, in --sort order, at most --limit; --quiet prints ids', async () => {
      const [andes, islands, codes, capes] = await Promise.all(['andes', 'islands', 'codes', 'capes'].map(urlOf));
      const [tasmanId, readingsId] = [String(tasman.id), String(readings.id)];
      assert.deepEqual(await urls(['tasman']), [tasmanId]);
      assert.deepEqual(await urls(['--bbox', '165,-48,179,-33']), [tasmanId], 'only the layer over New Zealand');
      assert.deepEqual(await urls(['--type', 'table', '--sort', 'title']), [codes, readingsId]);
      assert.deepEqual(await urls(['--filter', 'type=layer', '--sort', 'title']), [andes, islands, tasmanId]);
      assert.deepEqual(await urls(['--sort', '-title', '--limit', '2']), [tasmanId, readingsId]);
      // Drafts only with --latest.
      assert.deepEqual(await urls(['capes']), []);
      assert.deepEqual(await urls(['capes', '--latest']), [capes]);

      const text = await admin.ok(['search', 'tasman']);
      const rows = tableRows(text.stdout);
      assert.deepEqual(rows[0], ['TYPE', 'ID', 'TITLE', 'PUBLISHED', 'URL']);
      assert.deepEqual([rows[1]![0], rows[1]![1], rows[1]![2], rows[1]![4]], ['layer', String(tasman.id), 'tasman', tasman.url]);
      assert.match(rows[1]![3]!, shownDate);
      assert.equal(rows.length, 2);
      assert.equal((await admin.ok(['search', 'nothing-is-called-this'])).stdout, 'Nothing matches.\n');

      assertJson(parseJson(await admin.ok(['search', 'tasman', '--json'])), await get('data/?q=tasman&page_size=20'));
      assertJson(parseJson(await admin.ok(['search', '--type', 'layer', '--sort', '-title', '--json'])), await get('data/?type=layer&sort=-title&page_size=20'));

      assertFailure(await admin.run(['search', '--bbox', '179,-33,165,-48']), ExitCode.usage, /^mapshelf: --bbox takes minx,miny,maxx,maxy in degrees/);
      assertFailure(await admin.run(['search', '--filter', 'colour=red']), ExitCode.usage, /"colour" is not a filter/);
    });
  });

  describe('layers and tables', () => {
    it('list --json and versions --json are the summaries the server sends, nothing added', async () => {
      const sameList = async (args: string[], path: string) => {
        const output = parseJson<Array<Record<string, unknown>>>(await admin.ok([...args, '--json']));
        const sent = await get<Array<Record<string, unknown>>>(path);
        const added = output.mapshelf.v1.map((item, i) => Object.keys(item).filter((key) => !(key in (sent[i] ?? {}))));
        assert.deepEqual(added, sent.map(() => []), `mapshelf ${args.join(' ')} --json: fields the server did not send`);
        assertJson(output, sent);
      };
      await sameList(['layers', 'list'], 'layers/?type=layer&page_size=20');
      await sameList(['layers', 'list', '--drafts'], 'layers/drafts/?type=layer&page_size=20');
      await sameList(['tables', 'list'], 'tables/?page_size=20');
      await sameList(['layers', 'versions', String(tasman.id)], `layers/${tasman.id}/versions/`);
    });

    it('list, show, versions', async () => {
      assertJson(parseJson(await admin.ok(['layers', 'show', String(tasman.id), '--json'])), await get(`layers/${tasman.id}/`));
      const versions = tableRows((await admin.ok(['layers', 'versions', String(tasman.id)])).stdout);
      assert.deepEqual(versions.map((row) => [row[0], row[1], row[3]]), [
        ['VERSION', 'STATUS', 'URL'],
        [String(tasman.version.id), 'published', tasman.version.url],
      ]);

      const [extent] = ogrInfo(files.tasman!).map((layer) => layer.extent!);
      const corner = (x: number, y: number) => `${Number(x.toFixed(6))}, ${Number(y.toFixed(6))}`;
      const show = await admin.ok(['layers', 'show', String(tasman.id)]);
      const current = await get<PublishedLayer>(`layers/${tasman.id}/`);
      assert.deepEqual(detailsOf(show.stdout), {
        Layer: `${tasman.id}: tasman`,
        Version: `${current.version.id} (ok, published ${current.published_at!.slice(0, 10)} ${current.published_at!.slice(11, 16)})`,
        Geometry: 'Multi Polygon',
        CRS: 'EPSG:4326',
        Features: '2',
        Fields: 'id (string), name (string)',
        Extent: `${corner(extent![0], extent![1])} to ${corner(extent![2], extent![3])} (longitude, latitude)`,
        URL: tasman.url,
      });

      const list = tableRows((await admin.ok(['layers', 'list', '--sort', 'title'])).stdout);
      assert.deepEqual(list[0], ['ID', 'TITLE', 'STATUS', 'PUBLISHED', 'URL']);
      assert.deepEqual(list.map((row) => row[1]).slice(1), ['andes', 'islands', 'tasman']);
      assert.deepEqual(await admin.quiet(['layers', 'list', '--drafts', '--filter', 'title=capes']), [String((await get<Array<{ id: number; title: string }>>('layers/drafts/?page_size=100')).find((l) => l.title === 'capes')!.id)]);
    });

    it('update --publish imports and publishes a new version; update, then publish', async () => {
      const before = await get<PublishedLayer>(`layers/${tasman.id}/`);
      const updated = await admin.run(['layers', 'update', String(tasman.id), '--publish']);
      assertOk(updated);
      const after = await get<PublishedLayer>(`layers/${tasman.id}/`);
      assert.notEqual(after.version.id, before.version.id, 'a new version');
      assert.ok(after.published_at && after.published_at > before.published_at!, 'published after the first');
      assert.deepEqual(
        lines(updated.stderr).filter((line) => !/^Importing tasman: \d+%$/.test(line)),
        [`Started version ${after.version.id} of tasman.`, `Imported version ${after.version.id} of tasman.`, `Published version ${after.version.id}.`],
      );
      assert.equal(detailsOf(updated.stdout).Version, `${after.version.id} (ok, published ${after.published_at.slice(0, 10)} ${after.published_at.slice(11, 16)})`);

      // Without --publish: a draft, published by `layers publish`.
      const draft = await admin.json<PublishedLayer>(['layers', 'update', String(tasman.id)]);
      const draftVersion = draft.mapshelf.v1.version.id;
      assert.equal(draft.mapshelf.v1.published_at, null);
      assert.equal((await get<PublishedLayer>(`layers/${tasman.id}/`)).version.id, after.version.id, 'the published version is unchanged');
      const published = await admin.json<PublishedLayer>(['layers', 'publish', String(tasman.id)]);
      assertJson(published, await get(`layers/${tasman.id}/`));
      assert.equal(published.mapshelf.v1.version.id, draftVersion);
      assert.deepEqual(await admin.quiet(['layers', 'versions', String(tasman.id)]), [before.version.id, after.version.id, draftVersion].map(String));
    });

    it('delete removes a layer with its versions', async () => {
      const [datasource] = await get<Array<{ id: number }>>(`sources/${tasmanSource}/datasources/`);
      const doomed = await importedLayer(server, 'layers', { title: 'doomed', data: { datasources: [datasource!.id] } });
      const run = await admin.ok(['layers', 'delete', String(doomed.id)]);
      assert.equal(run.stdout, `Deleted layer ${doomed.id}.\n`);
      assert.equal((await server.request('GET', `layers/${doomed.id}/`)).status, 404);
      assertFailure(await admin.run(['layers', 'show', String(doomed.id)]), ExitCode.notFound, new RegExp(`^mapshelf: Layer ${doomed.id} was not found\\. `));
      assertFailure(await admin.run(['layers', 'delete', 'twelve']), ExitCode.usage, /^mapshelf: The layer must be an id \(a positive whole number\) or its URL, not "twelve"\.$/);
    });

    it('tables show', async () => {
      const table = await get<PublishedLayer>(`tables/${readings.id}/`);
      const show = await admin.ok(['tables', 'show', String(readings.id)]);
      assert.deepEqual(detailsOf(show.stdout), {
        Table: `${readings.id}: readings`,
        Version: `${table.version.id} (ok, published ${table.published_at!.slice(0, 10)} ${table.published_at!.slice(11, 16)})`,
        Features: '3',
        Fields: 'station (string), reading (string)',
        URL: readings.url,
      });
      assertJson(parseJson(await admin.ok(['tables', 'show', String(readings.id), '--json'])), table);
      assertFailure(await admin.run(['tables', 'show', String(tasman.id)]), ExitCode.notFound, /was not found/);
    });
  });

  describe('sets', () => {
    it('create --item --publish, list, show, versions, publish, delete', async () => {
      // Items by id (a layer, looked up) and by URL (a table).
      const created = await admin.json<{ id: number; url: string; published_at: string | null }>(['sets', 'create', '--title', 'Oceania', '--description', 'Around the Tasman', '--item', String(tasman.id), '--item', readings.url, '--publish']);
      const set = created.mapshelf.v1;
      assertJson(created, await get(`sets/${set.id}/`));
      assert.ok(set.published_at, 'published at once');
      const fetched = await get<{ items: string[] }>(`sets/${set.id}/`);
      assert.deepEqual(fetched.items, [tasman.url, readings.url]);

      assertJson(parseJson(await admin.ok(['sets', 'list', '--json'])), await get('sets/?page_size=20', { expand: 'list' }));
      const list = tableRows((await admin.ok(['sets', 'list'])).stdout);
      assert.deepEqual(list.slice(0, 1), [['ID', 'TITLE', 'ITEMS', 'STATUS']]);
      assert.deepEqual(list[1]!.slice(0, 3), [String(set.id), 'Oceania', '2']);
      assert.match(list[1]![3]!, /^published \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);

      const show = await admin.ok(['sets', 'show', String(set.id)]);
      const [details, items] = show.stdout.split('\n\n');
      assert.deepEqual(Object.keys(detailsOf(details!)), ['Set', 'Version', 'Description', 'URL']);
      assert.deepEqual(detailsOf(details!).Set, `${set.id}: Oceania`);
      assert.deepEqual(detailsOf(details!).Description, 'Around the Tasman');
      assert.deepEqual(tableRows(items!), [
        ['TYPE', 'ID', 'TITLE'],
        ['layer', String(tasman.id), 'tasman'],
        ['table', String(readings.id), 'readings'],
      ]);
      assertJson(parseJson(await admin.ok(['sets', 'show', String(set.id), '--json'])), await get(`sets/${set.id}/`, { expand: 'items' }));
      assert.deepEqual(await admin.quiet(['sets', 'show', String(set.id)]), [String(tasman.id), String(readings.id)]);

      // Versions: one, with its two items, created and published.
      const versions = await admin.run(['sets', 'versions', String(set.id)]);
      assertOk(versions);
      const rows = tableRows(versions.stdout);
      assert.deepEqual(rows[0], ['VERSION', 'ITEMS', 'CREATED', 'PUBLISHED']);
      assert.equal(rows.length, 2, versions.stdout);
      assert.deepEqual(rows[1]!.slice(0, 2), [String((await get<{ version: { id: number } }>(`sets/${set.id}/`)).version.id), '2']);
      assert.match(rows[1]![2] ?? '', shownDate, 'the created date');
      assert.match(rows[1]![3] ?? '', shownDate, 'the published date');
      const versionsJson = parseJson<Array<{ version: { id: number } }>>(await admin.ok(['sets', 'versions', String(set.id), '--json']));
      assert.deepEqual(versionsJson.mapshelf.v1.map((v) => v.version.id), (await get<Array<{ version: { id: number } }>>(`sets/${set.id}/versions/`)).map((v) => v.version.id));

      // A draft set, published later, then deleted.
      const draft = (await admin.ok(['sets', 'create', '--title', 'Draft set', '--item', String(tasman.id)])).stdout;
      const draftId = /^Created set (\d+): Draft set \(draft\)\.$/.exec(draft.trim())?.[1];
      assert.ok(draftId, draft);
      assert.deepEqual(await admin.quiet(['sets', 'list', '--drafts']), [draftId]);
      assert.equal((await admin.ok(['sets', 'publish', draftId])).stdout, `Published set ${draftId}: Draft set.\n`);
      assert.ok((await get<{ published_at: string | null }>(`sets/${draftId}/`)).published_at, 'published');
      assertJson(parseJson(await admin.ok(['sets', 'delete', draftId, '--json'])), { id: Number(draftId), deleted: true });
      assert.equal((await server.request('GET', `sets/${draftId}/`)).status, 404);
      assertFailure(await admin.run(['sets', 'show', draftId]), ExitCode.notFound, /was not found/);
    });
  });

  describe('sources', () => {
    it('list, show, scans, scan --wait, log, delete', async () => {
      assertJson(parseJson(await admin.ok(['sources', 'list', '--json'])), await get('sources/?page_size=20'));
      const source = await get<{ title: string; url: string }>(`sources/${tasmanSource}/`);
      const datasources = await get<Array<{ id: number }>>(`sources/${tasmanSource}/datasources/`);
      assertJson(parseJson(await admin.ok(['sources', 'show', String(tasmanSource), '--json'])), { ...source, datasources });

      const show = await admin.ok(['sources', 'show', String(tasmanSource)]);
      const [details, table] = show.stdout.split('\n\n');
      const shown = detailsOf(details!);
      assert.match(shown['Last scanned']!, shownDate);
      assert.deepEqual({ ...shown, 'Last scanned': '<date>' }, { Source: `${tasmanSource}: Tasman`, Type: 'upload', 'Last scanned': '<date>', URL: source.url });
      assert.deepEqual(tableRows(table!), [
        ['ID', 'DATASET', 'KIND', 'FEATURES', 'CRS', 'FILE'],
        [String(datasources[0]!.id), 'tasman', 'Multi Polygon', '2', 'EPSG:4326', 'tasman.gpkg'],
      ]);

      const [firstScan] = await get<Array<{ id: number }>>(`sources/${tasmanSource}/scans/`);
      const scan = await admin.run(['sources', 'scan', String(tasmanSource), '--wait']);
      assertOk(scan);
      const [newest, previous] = await get<Array<{ id: number; status: string }>>(`sources/${tasmanSource}/scans/`);
      assert.equal(previous!.id, firstScan!.id);
      assert.equal(newest!.status, 'completed');
      assert.equal(scan.stdout, `Scan ${newest!.id} of source ${tasmanSource}: completed.\n`);
      assert.equal(lines(scan.stderr).at(-1), `Scan ${newest!.id} completed.`);
      assert.ok(lines(scan.stderr).includes('Scanning: 100%'), scan.stderr);
      assertJson(parseJson(await admin.ok(['sources', 'scans', String(tasmanSource), '--json'])), await get(`sources/${tasmanSource}/scans/?page_size=20`));
      const scans = tableRows((await admin.ok(['sources', 'scans', String(tasmanSource)])).stdout);
      assert.deepEqual(scans.map((row) => row.slice(0, 5)), [
        ['SCAN', 'STATUS', 'ADDED', 'UPDATED', 'DELETED'],
        [String(newest!.id), 'completed', '0', '0', '0'],
        [String(firstScan!.id), 'completed', '1', '0', '0'],
      ]);

      // The newest scan's log by default, or the one named.
      const newestLog = await get<string>(`sources/${tasmanSource}/scans/${newest!.id}/log/`);
      const log = await admin.ok(['sources', 'log', String(tasmanSource)]);
      assert.equal(log.stdout, newestLog.endsWith('\n') ? newestLog : `${newestLog}\n`);
      assert.match(log.stdout, /tasman\.gpkg: vector, 2 feature\(s\), Multi Polygon, CRS EPSG:4326/);
      const firstLog = await get<string>(`sources/${tasmanSource}/scans/${firstScan!.id}/log/`);
      assertJson(parseJson(await admin.ok(['sources', 'log', String(tasmanSource), String(firstScan!.id), '--json'])), { source: tasmanSource, scan: firstScan!.id, lines: lines(firstLog) });

      const throwaway = await uploadAndScan('Throwaway', [files.codes!]);
      assert.equal((await admin.ok(['sources', 'delete', String(throwaway)])).stdout, `Deleted source ${throwaway}.\n`);
      assert.equal((await server.request('GET', `sources/${throwaway}/`)).status, 404);
      assertFailure(await admin.run(['sources', 'show', String(throwaway)]), ExitCode.notFound, /was not found/);
    });
  });

  describe('export', () => {
    it('crops to a GeoJSON polygon and reprojects, as a Shapefile into a folder', async () => {
      const folder = tempFolder(work, 'crop');
      const run = await admin.run(['export', String(tasman.id), '--crop', files.crop!, '--format', 'shp', '--crs', 'EPSG:2193', '-o', folder]);
      assertOk(run);
      const zips = readdirSync(folder);
      assert.equal(zips.length, 1, zips.join(', '));
      assert.match(zips[0]!, /\.zip$/);
      const zip = join(folder, zips[0]!);
      assert.equal(run.stdout, `${zip}\n`, 'the text output is the file');
      assert.match(run.stderr, /^Exporting .+: 100%$/m);
      assert.match(run.stderr, /^Downloading .+\.zip: 100% \(.+\)$/m);

      const shp = (await zipEntries(zip)).find((entry) => entry.endsWith('.shp'));
      assert.ok(shp, `a .shp in ${zip}`);
      const exported = ogrInfo(`/vsizip/${zip}/${shp}`)[0]!;
      // What ogr2ogr makes of the same crop and CRS: New Zealand alone, cut at 41° S.
      const reference = join(work, 'reference.gpkg');
      ogr2ogr(['-f', 'GPKG', '-t_srs', 'EPSG:2193', '-clipsrc', files.crop!, reference, files.tasman!]);
      const expected = ogrInfo(reference)[0]!;
      assert.equal(expected.featureCount, 1);
      assert.equal(exported.featureCount, expected.featureCount);
      const summary = await ogrSummary(`/vsizip/${zip}/${shp}`);
      assert.match(summary, /PROJCRS\["NZGD2000 \/ New Zealand Transverse Mercator 2000"/);
      assert.match(summary, /^\s+ID\["EPSG",2193\]\]$/m);
      // Within the crop polygon in EPSG:2193 (its sides densified, so the box bounds the curved parallels).
      const cropIn2193 = join(work, 'crop-2193.gpkg');
      ogr2ogr(['-f', 'GPKG', '-t_srs', 'EPSG:2193', cropIn2193, files.crop!]);
      const cropExtent = ogrInfo(cropIn2193)[0]!.extent!;
      assert.ok(within(exported.extent!, cropExtent, 0.01), `${exported.extent} within ${cropExtent}`);
      exported.extent!.forEach((value, i) => assert.ok(Math.abs(value - expected.extent![i]!) < 1, `extent ${exported.extent} ≈ ${expected.extent}`));
      assert.ok(exported.extent![1] > 5_400_000, 'the south of the South Island is cut off');
    });

    it('-o to a file path, refused when it exists before any export is made, replaced with --force', async () => {
      const file = join(work, 'tasman-4326.zip');
      const args = ['export', String(tasman.id), '--format', 'gpkg', '--crs', 'EPSG:4326', '-o', file];
      const run = await admin.run([...args, '--json']);
      assertOk(run);
      const output = parseJson<{ export: { id: number }; file: string; size: number }>(run);
      const job = await get<{ id: number; state: string; size: number; name: string }>(`exports/${output.mapshelf.v1.export.id}/`);
      assertJson(output, { export: job, file, size: job.size });
      assert.equal(job.state, 'complete');
      assert.equal(statSync(file).size, job.size);
      const gpkg = (await zipEntries(file)).find((entry) => entry.endsWith('.gpkg'));
      assert.equal(ogrInfo(`/vsizip/${file}/${gpkg}`)[0]!.featureCount, 2);

      const bytes = readFileSync(file);
      const count = await exportCount();
      assertFailure(await admin.run(args), ExitCode.usage, new RegExp(`^mapshelf: ${literal(file)} already exists\\. Remove it, give another -o, or add --force\\.$`));
      assert.equal(await exportCount(), count, 'no export was created');
      assert.ok(readFileSync(file).equals(bytes), 'the file is untouched');

      const forced = await admin.quiet([...args, '--force']);
      assert.deepEqual(forced, [file]);
      assert.equal(await exportCount(), count + 1);
      assert.equal(ogrInfo(`/vsizip/${file}/${gpkg}`)[0]!.featureCount, 2);
    });

    it('into a folder that already holds the zip: refused before any export is made', async () => {
      const folder = tempFolder(work, 'again');
      const args = ['export', String(tasman.id), '--format', 'geojson', '--crs', 'EPSG:4326', '-o', folder];
      await admin.ok(args);
      const [zip] = readdirSync(folder);
      const count = await exportCount();
      assertFailure(await admin.run(args), ExitCode.usage, /already exists\. Remove it, give another -o, or add --force\.$/);
      assert.equal(await exportCount(), count, 'no export was created');
      assert.deepEqual(readdirSync(folder), [zip]);
    });

    it('--format csv on a table', async () => {
      const folder = tempFolder(work, 'csv');
      const [file] = await admin.quiet(['export', String(readings.id), '--format', 'csv', '-o', folder]);
      assert.equal(file, join(folder, readdirSync(folder)[0]!));
      const csv = (await zipEntries(file!)).find((entry) => entry.endsWith('.csv'));
      assert.ok(csv, `a .csv in ${file}`);
      const { stdout } = await execFileAsync('unzip', ['-p', file!, csv]);
      const cells = (text: string) => lines(text.replace(/\r/g, '')).map((line) => line.split(',').map((cell) => cell.replace(/^"(.*)"$/, '$1')));
      assert.deepEqual(cells(stdout), cells(readFileSync(files.readings!, 'utf8')));
    });
  });

  describe('exports', () => {
    let job: { id: number; name: string; size: number; download_url: string };
    let full: Buffer;
    const workers = () => server.running.app.workers;

    before(async () => {
      const made = await admin.json<{ export: { id: number }; file: null }>(['export', String(tasman.id), '--format', 'gpkg', '--crs', 'EPSG:2193', '--no-download']);
      assert.equal(made.mapshelf.v1.file, null);
      job = await get(`exports/${made.mapshelf.v1.export.id}/`);
      assertJson(made, { export: job, file: null });
      const res = await fetch(job.download_url, { headers: { authorization: `key ${adminToken}` } });
      assert.equal(res.status, 200);
      full = Buffer.from(await res.arrayBuffer());
      assert.equal(full.length, job.size);
    });

    it('list, show', async () => {
      assertJson(parseJson(await admin.ok(['exports', 'list', '--json'])), await get('exports/?page_size=20', { expand: 'list' }));
      assert.deepEqual(await admin.quiet(['exports', 'list', '--limit', '1']), [String(job.id)]);
      assertJson(parseJson(await admin.ok(['exports', 'show', String(job.id), '--json'])), job);
      const shown = detailsOf((await admin.ok(['exports', 'show', String(job.id)])).stdout);
      assert.match(shown.Size!, /^[\d.]+ kB$/);
      assert.match(shown.Created!, shownDate);
      assert.match(shown.Expires!, shownDate);
      assert.deepEqual(
        { ...shown, Size: '<size>', Created: '<date>', Expires: '<date>' },
        { Export: String(job.id), Name: job.name, State: 'complete', CRS: 'EPSG:2193', Formats: 'application/x-ogc-gpkg', Items: tasman.url, Size: '<size>', Created: '<date>', Expires: '<date>', Download: job.download_url },
      );
      assertFailure(await admin.run(['exports', 'show', '999999']), ExitCode.notFound, /was not found/);
    });

    it('download into a folder, and resume a partial download', async () => {
      const folder = tempFolder(work, 'downloads');
      const file = join(folder, `${job.name}.zip`);
      const downloaded = await admin.run(['exports', 'download', String(job.id), '-o', folder, '--json']);
      assertOk(downloaded);
      assertJson(parseJson(downloaded), { export: job, file, size: full.length });
      assert.ok(readFileSync(file).equals(full));

      // Half the bytes are in {file}.part: the download carries on from there.
      const target = join(work, 'resumed.zip');
      const half = Math.floor(full.length / 2);
      writeFileSync(`${target}.part`, full.subarray(0, half));
      const resumed = await admin.run(['exports', 'download', String(job.id), '-o', target]);
      assertOk(resumed);
      assert.equal(resumed.stdout, `${target}\n`);
      assert.match(resumed.stderr, new RegExp(`^Resuming the download in ${literal(`${target}.part`)} from `, 'm'));
      assert.ok(readFileSync(target).equals(full), 'the resumed file equals the whole zip byte for byte');
      assert.equal(existsSync(`${target}.part`), false, 'the .part file is gone');
      assertFailure(await admin.run(['exports', 'download', String(job.id), '-o', target]), ExitCode.usage, /already exists/);
    });

    it('cancel a processing export; download waits for one that is processing', async () => {
      const request = { crs: 'EPSG:4326', formats: { vector: 'application/x-ogc-gpkg' }, items: [{ item: tasman.url }] };
      // With the job workers stopped, new exports stay queued ("processing").
      await workers().stop();
      let waiting: Promise<CliRun> | undefined;
      let later: { id: number; name: string };
      const folder = tempFolder(work, 'waited');
      try {
        const queued = await server.request('POST', 'exports/', { body: request });
        assert.equal(queued.status, 202, queued.text);
        assert.equal(queued.body.state, 'processing');
        const cancelled = await admin.run(['exports', 'cancel', String(queued.body.id)]);
        assertOk(cancelled);
        assert.equal(cancelled.stdout, `Export ${queued.body.id} is cancelled.\n`);
        assert.equal((await get(`exports/${queued.body.id}/`)).state, 'cancelled');
        assertFailure(await admin.run(['exports', 'cancel', String(queued.body.id)]), ExitCode.failure, new RegExp(`^mapshelf: Export ${queued.body.id} is cancelled; only a processing export can be cancelled\\.$`));

        const second = await server.request('POST', 'exports/', { body: request });
        assert.equal(second.status, 202, second.text);
        later = second.body;
        waiting = admin.run(['exports', 'download', String(later.id), '-o', folder]);
        await sleep(1500);
      } finally {
        await workers().start();
      }
      const run = await waiting!;
      assertOk(run);
      assert.equal(run.stdout, `${join(folder, `${later!.name}.zip`)}\n`);
      assert.match(run.stderr, new RegExp(`^Export ${later!.id} is complete\\.$`, 'm'));
      assert.equal((await get(`exports/${later!.id}/`)).state, 'complete');
      assertFailure(await admin.run(['exports', 'cancel', String(later!.id)]), ExitCode.failure, /only a processing export can be cancelled/);
    });

    it('croplayers lists crop layers and their features', async () => {
      const made = await server.request('POST', 'exports/croplayers/', { body: { name: 'Countries', source_layer: tasman.url, name_field: 'name' } });
      assert.equal(made.status, 201, made.text);
      assertJson(parseJson(await admin.ok(['exports', 'croplayers', '--json'])), await get('exports/croplayers/?page_size=20'));
      assert.deepEqual(tableRows((await admin.ok(['exports', 'croplayers'])).stdout), [
        ['ID', 'NAME', 'FEATURES'],
        [String(made.body.id), 'Countries', '2'],
      ]);
      const features = await get<Array<{ id: number; name: string; url: string }>>(`exports/croplayers/${made.body.id}/cropfeatures/?page_size=20`);
      assertJson(parseJson(await admin.ok(['exports', 'croplayers', String(made.body.id), '--json'])), features);
      assert.deepEqual(features.map((f) => f.name).sort(), ['Australia', 'New Zealand']);
      assert.deepEqual(await admin.quiet(['exports', 'croplayers', String(made.body.id)]), features.map((f) => f.url));
    });
  });

  describe('tokens', () => {
    it('create shows the secret once; list never shows secrets; revoke stops it', async () => {
      const created = await admin.ok(['tokens', 'create', '--name', 'pipeline', '--scope', 'layers:read exports:read']);
      const [key, note, ...rest] = lines(created.stdout);
      assert.match(key!, /^msk_[\w-]{20,}$/);
      assert.match(note!, /^\(token for \S+, scopes: layers:read exports:read; shown only this once\)$/);
      assert.deepEqual(rest, []);
      assert.equal((await server.request('GET', 'layers/', { token: key! })).status, 200, 'the key works');

      const json = await admin.json<{ key: string; id: number }>(['tokens', 'create', '--name', 'reader', '--scope', 'layers:read']);
      const second = json.mapshelf.v1;
      assert.match(second.key, /^msk_/);
      assertJson(json, { key: second.key, ...(await get(`tokens/${second.id}/`)) });
      assert.equal(normalize(json, volatile).mapshelf.v1.key, '<key>');

      const listText = await admin.ok(['tokens', 'list']);
      const listJson = await admin.ok(['tokens', 'list', '--json']);
      for (const run of [listText, listJson]) {
        for (const secret of [key!, second.key, adminToken]) assert.ok(!run.stdout.includes(secret), `no secret in tokens list\n${describeRun(run)}`);
      }
      assertJson(parseJson(listJson), await get('tokens/?page_size=100', { expand: 'list' }));
      const rows = tableRows(listText.stdout);
      assert.deepEqual(rows[0], ['ID', 'NAME', 'KEY', 'SCOPE', 'EXPIRES', 'LAST USED']);
      const reader = rows.find((row) => row[0] === String(second.id));
      assert.deepEqual(reader, [String(second.id), 'reader', `${second.key.slice(0, 10)}...`, 'layers:read', 'never', 'never']);

      const revoked = await admin.ok(['tokens', 'revoke', String(second.id)]);
      assert.equal(revoked.stdout, `Revoked token ${second.id}.\n`);
      assert.equal((await server.request('GET', 'layers/', { token: second.key })).status, 401);
      assert.ok(!(await admin.quiet(['tokens', 'list'])).includes(String(second.id)));
      assertFailure(await admin.run(['tokens', 'create', '--name', 'no-scope']), ExitCode.usage, /^mapshelf: Give the token's scopes with --scope/);
    });

    it('creates tokens offline in the data folder with --admin --data-dir (--database on PostgreSQL), also as `token`', async () => {
      const nobody = shell();
      // Where the server's catalog is: its data folder, or its PostgreSQL database on a PostgreSQL run.
      const catalog = server.database ? ['--database', server.database] : ['--data-dir', server.dataDir];
      const offline = await nobody.json<{ key: string; user: { id: number; username: string } }>(['tokens', 'create', '--admin', ...catalog, '--name', 'offline']);
      assertJson(offline, { key: '<key>', user: { id: 1, username: 'admin' }, scope: (await server.request('GET', 'users/me/')).headers.get('oauth-scopes'), expires_at: null });
      const whoami = await nobody.json<{ user: { username: string; is_admin: boolean } }>(['whoami', '--url', server.url, '--token', offline.mapshelf.v1.key]);
      assert.deepEqual([whoami.mapshelf.v1.user.username, whoami.mapshelf.v1.user.is_admin], ['admin', true]);

      const alias = await nobody.quiet(['token', 'create', ...catalog, '--scope', 'layers:read', '--name', 'read-only']);
      assert.equal(alias.length, 1);
      assert.match(alias[0]!, /^msk_/);
      assert.equal((await server.request('GET', 'layers/', { token: alias[0]! })).status, 200);
      assert.equal((await server.request('GET', 'users/', { token: alias[0]! })).status, 403, 'only the scope asked for');
      assert.deepEqual(await admin.quiet(['token', 'list']), await admin.quiet(['tokens', 'list']));
    });
  });

  describe('completion', () => {
    const anyone = () => shell();
    /** What `_mapshelf` offers for the command line `words`, the last being the word under the cursor. */
    async function complete(script: string, words: string[]): Promise<string[]> {
      const { stdout } = await execFileAsync('bash', ['-c', 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mapshelf; printf "%s\\n" "${COMPREPLY[@]}"', 'complete', script, ...words]);
      return lines(stdout).filter(Boolean);
    }

    it('bash: valid, and completes commands, subcommands and flags', async () => {
      const run = await anyone().ok(['completion', 'bash']);
      assert.equal(run.stderr, '');
      const script = join(work, 'mapshelf.bash');
      writeFileSync(script, run.stdout);
      await execFileAsync('bash', ['-n', script]);

      assert.deepEqual(await complete(script, ['mapshelf', 'lay']), ['layers']);
      assert.deepEqual(await complete(script, ['mapshelf', 'layers', 'l']), ['list']);
      assert.deepEqual(await complete(script, ['mapshelf', 'exports', 'd']), ['download']);
      assert.deepEqual((await complete(script, ['mapshelf', 'export', '--f'])).sort(), ['--force', '--format']);
      assert.deepEqual(await complete(script, ['mapshelf', 'sources', 'scan', '--w']), ['--wait']);
      const top = await complete(script, ['mapshelf', '']);
      for (const command of ['login', 'whoami', 'import', 'layers', 'tables', 'sets', 'sources', 'search', 'export', 'exports', 'tokens', 'serve', 'completion']) assert.ok(top.includes(command), `${command} in ${top.join(' ')}`);
      // The `token` alias completes as `tokens` does.
      assert.deepEqual(await complete(script, ['mapshelf', 'token', 'c']), ['create']);
    });

    it('zsh: bash completion through bashcompinit; other shells are refused', async () => {
      const bash = (await anyone().ok(['completion', 'bash'])).stdout;
      const zsh = (await anyone().ok(['completion', 'zsh'])).stdout;
      assert.ok(zsh.startsWith('#compdef mapshelf\n'), zsh.slice(0, 100));
      assert.match(zsh, /^autoload -U \+X bashcompinit && bashcompinit$/m);
      assert.ok(zsh.endsWith(bash), 'the bash script follows');
      const script = join(work, 'mapshelf.zsh');
      writeFileSync(script, zsh);
      await execFileAsync('bash', ['-n', script]);
      const hasZsh = await execFileAsync('zsh', ['--version']).then(() => true, () => false);
      if (hasZsh) await execFileAsync('zsh', ['-n', script]);

      const fish = await anyone().run(['completion', 'fish']);
      assertFailure(fish, ExitCode.usage, /^mapshelf: Completion is available for bash and zsh, not "fish"\.$/);
    });
  });

  it('--help of every command has an Examples: section', async () => {
    const anyone = shell();
    /** The command names a help text lists under "Commands:" (`tokens|token` → tokens). */
    const commandsIn = (help: string) => {
      const section = help.split(/^Commands:$/m)[1]?.split(/\n\n/)[0] ?? '';
      return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
    };
    const seen: string[] = [];
    const missing: string[] = [];
    /** Checks one command's help; the paths of its subcommands. */
    const check = async (path: string[]): Promise<string[][]> => {
      const help = (await anyone.ok([...path, '--help'])).stdout;
      if (path.length) {
        seen.push(path.join(' '));
        if (!/^Examples:\n {2}\S/m.test(help)) missing.push(path.join(' '));
      }
      return commandsIn(help).map((name) => [...path, name]);
    };
    // The whole tree, a few `--help` runs at a time.
    const queue = await check([]);
    const worker = async () => {
      for (let path = queue.shift(); path; path = queue.shift()) queue.push(...(await check(path)));
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    for (const command of ['login', 'import', 'layers', 'layers update', 'tables show', 'sets create', 'sources log', 'export', 'exports download', 'exports croplayers', 'tokens create', 'completion', 'serve']) {
      assert.ok(seen.includes(command), `the walk reached ${command}: ${seen.join(', ')}`);
    }
    assert.ok(seen.length >= 45, `${seen.length} commands`);
    assert.deepEqual(missing.sort(), [], 'commands whose --help has no "Examples:" section');
  });

  describe('bad input: one line on stderr, its exit code, and a stack trace only with --debug', { concurrency: true }, () => {
    interface BadInput {
      who?: CliUser;
      args: string[];
      exitCode: number;
      message: RegExp;
    }
    const never = () => join(work, 'never.zip');
    let exportsBefore: number;
    before(async () => {
      exportsBefore = await exportCount();
    });

    /** Runs the bad command, then again with --debug; an export command must leave no export and no file. */
    const badInput = (what: string, make: () => BadInput | Promise<BadInput>) =>
      it(what, async () => {
        const { who = admin, args, exitCode, message } = await make();
        const line = assertFailure(await who.run(args), exitCode, message);
        assertDebugFailure(await who.run([...args, '--debug']), exitCode, line);
        if (args[0] === 'export') {
          assert.equal(await exportCount(), exportsBefore, 'no export was created');
          assert.equal(existsSync(never()), false);
        }
      });
    const exportArgs = (...extra: string[]) => ['export', String(tasman.id), ...extra, '-o', never()];

    badInput('an unknown --format, the message listing the choices', () => ({
      args: exportArgs('--format', 'shapefile', '--crs', 'EPSG:2193'),
      exitCode: ExitCode.usage,
      message: /^mapshelf: --format shapefile can't be used for vector data\. Choose one of: gpkg \(GeoPackage\), shp \(Shapefile\), .*geojson \(GeoJSON\)/,
    }));
    badInput('a CRS the server does not know, named as --crs', () => ({
      args: exportArgs('--format', 'shp', '--crs', 'EPSG:99999'),
      exitCode: ExitCode.usage,
      // As the user wrote it: the flag, not the API's "body.crs".
      message: /^mapshelf: The export is not valid: --crs EPSG:99999\b.*not a coordinate reference system/,
    }));
    badInput('a malformed --crs', () => ({
      args: exportArgs('--format', 'shp', '--crs', '2193x'),
      exitCode: ExitCode.usage,
      message: /^mapshelf: --crs must be an EPSG code such as EPSG:2193, not "2193x"\.$/,
    }));
    badInput('a missing file to import', () => ({
      args: ['import', join(work, 'missing.gpkg')],
      exitCode: ExitCode.usage,
      message: new RegExp(`^mapshelf: No such file or folder: ${literal(join(work, 'missing.gpkg'))}$`),
    }));
    badInput('a crop polygon of more than 1,000 vertices, the message naming the file', () => ({
      args: exportArgs('--format', 'shp', '--crs', 'EPSG:2193', '--crop', files.bigCrop!),
      exitCode: ExitCode.usage,
      message: new RegExp(`^mapshelf: The export is not valid: --crop ${literal(files.bigCrop!)} has 1200 vertices; at most 1000 are allowed\\.`),
    }));
    badInput('an expired token', async () => {
      // Long enough that creating it and the first call fit in, on a loaded machine too.
      const expiresAt = new Date(Date.now() + 15_000);
      const [key] = await admin.quiet(['tokens', 'create', '--name', 'brief', '--scope', 'layers:read', '--expires-at', expiresAt.toISOString()]);
      assert.equal((await server.request('GET', 'layers/', { token: key! })).status, 200, 'valid until it expires');
      await sleep(Math.max(0, expiresAt.getTime() + 1100 - Date.now()));
      return { args: ['layers', 'list', '--token', key!], exitCode: ExitCode.auth, message: /^mapshelf: The server at http:\/\/127\.0\.0\.1:\d+ refused the token \(The API token expired at .+\)\. It may have expired or been revoked/ };
    });
    badInput('a revoked token', async () => {
      const made = await admin.json<{ key: string; id: number }>(['tokens', 'create', '--name', 'gone', '--scope', 'layers:read']);
      await admin.ok(['tokens', 'revoke', String(made.mapshelf.v1.id)]);
      return { args: ['layers', 'list', '--token', made.mapshelf.v1.key], exitCode: ExitCode.auth, message: /^mapshelf: The server at http:\/\/127\.0\.0\.1:\d+ refused the token \(.+\)\. It may have expired or been revoked/ };
    });
    badInput('an unreachable server', () => ({
      args: ['layers', 'list', '--url', 'http://127.0.0.1:1'],
      exitCode: ExitCode.unavailable,
      message: /^mapshelf: Can't reach the server at http:\/\/127\.0\.0\.1:1\b.*Is it running\?/,
    }));
    badInput('no server configured at all', () => ({
      who: shell(),
      args: ['layers', 'list'],
      exitCode: ExitCode.config,
      message: /^mapshelf: No server configured\. Run `mapshelf login --url URL --token TOKEN` once, or set MAPSHELF_URL and MAPSHELF_TOKEN\.$/,
    }));
  });

  it('writes no escape codes and no carriage returns to pipes, in any of the runs above', () => {
    assert.ok(cliRuns.length > 100, `${cliRuns.length} runs`);
    for (const run of cliRuns) {
      assert.ok(!run.stdout.includes('\x1b') && !run.stderr.includes('\x1b'), `an escape code\n${describeRun(run)}`);
      assert.ok(!run.stderr.includes('\r'), `a carriage return\n${describeRun(run)}`);
    }
  });
});
