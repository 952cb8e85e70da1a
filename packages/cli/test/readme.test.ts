/**
 * The README, run as printed: its first check, the TypeScript quick start and the command-line
 * walkthrough, each against a fresh server on the README's own address (127.0.0.1:8080) with
 * the bootstrap token in the environment, as the README's start command leaves it. Commands run
 * in an empty folder that links this repository's node_modules, as the repository's root does,
 * so `npx mapshelf`, `npx tsx` and `node_modules/world-atlas/…` resolve as they do there.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { adminToken, startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { testStore } from '../../server/test/helpers/test-database.js';
import { ExitCode } from '../src/exit-codes.js';
import { runProcess } from './helpers/cli.js';

const root = new URL('../../../', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The fenced blocks of one language in the README section that starts with `heading`. */
function blocks(heading: string, language: 'sh' | 'ts'): string[] {
  const start = readme.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `the README has a "${heading}" section`);
  const section = readme.slice(start + 1).split(/\n## /)[0]!;
  return [...section.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

let server: TestServer | undefined;
let dir: string | undefined;

/** An empty folder set up like the repository's root, and the environment the README's start command leaves. */
function emptyClone(): { dir: string; env: NodeJS.ProcessEnv } {
  dir = mkdtempSync(join(tmpdir(), 'mapshelf-readme-'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('MAPSHELF_') && !name.startsWith('npm_')) env[name] = value;
  return { dir, env: { ...env, XDG_CONFIG_HOME: join(dir, '.config'), MAPSHELF_BOOTSTRAP_TOKEN: adminToken } };
}

/** A fresh server on the README's address, and an empty folder set up like the repository's root. */
async function freshSetup(): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  server = await startTestServer({ port: 8080 });
  return emptyClone();
}

/** Runs shell lines as a user pastes them: bash, stopping at the first failure. */
async function shell(script: string, cwd: string, env: NodeJS.ProcessEnv) {
  const result = await runProcess('bash', ['-euo', 'pipefail', '-c', script], { env, cwd, timeoutMs: 300_000 });
  assert.equal(result.code, 0, `${script}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  return result;
}

describe('the README, run as printed', { concurrency: 1 }, () => {
  afterEach(async () => {
    await server?.close();
    server = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('"Check it works": the curl with the bootstrap token lists the admin user', async () => {
    const { dir, env } = await freshSetup();
    const check = blocks('## Two commands', 'sh').find((b) => b.startsWith('curl '));
    assert.ok(check, 'the check-it-works curl');
    const { stdout } = await shell(check, dir, env);
    assert.equal(JSON.parse(stdout)[0].username, 'admin');
  });

  it('the TypeScript quick start: makes its dataset, saves quickstart.mts, runs it with npx tsx', async () => {
    const { dir, env } = await freshSetup();
    const [code] = blocks('## Quick start', 'ts');
    const [commands] = blocks('## Quick start', 'sh');
    assert.ok(code && commands);
    const file = /save the code below as `([^`]+)`/.exec(readme)?.[1];
    assert.equal(file, 'quickstart.mts');
    writeFileSync(join(dir, file), code);
    const { stdout } = await shell(commands, dir, env);
    assert.match(stdout, /^1 Countries$/m, 'the layer it made, listed');
    assert.match(stdout, /^EPSG:4326 ok$/m);
    assert.match(stdout, /is_valid: true/);
    assert.match(stdout, /downloads\/countries-SHP\.zip$/m, 'the zip, downloaded into a folder it made');
    assert.match(stdout, /^needs \[ 'layers:read' \]$/m, 'the scope error, typed');
    // The export was cropped to Canterbury and reprojected: New Zealand alone, in NZTM.
    const info = await runProcess('ogrinfo', ['-so', '-al', `/vsizip/${join(dir, 'downloads/countries-SHP.zip')}/countries/countries.shp`], { env: process.env, timeoutMs: 30_000 });
    assert.match(info.stdout, /Feature Count: 1\n/, info.stdout + info.stderr);
    assert.match(info.stdout, /NZGD2000 \/ New Zealand Transverse Mercator 2000/);
  });

  it('the Metadata API: an application and a password offline, a token, a record with a contact, a condition and a hosted file, its ISO validated, and an imported layer as a record', async () => {
    const { dir, env } = emptyClone();
    // The README's xmllint names the schemas as the repository's root has them.
    symlinkSync(join(root, 'schemas'), join(dir, 'schemas'));
    // The server of the README's start command: its catalog in ./mapshelf-data (or, on the
    // PostgreSQL pass, where MAPSHELF_DATABASE_URL says, as the PostgreSQL section sets it).
    server = await startTestServer({ port: 8080, dataDir: join(dir, 'mapshelf-data') });
    const commands = blocks('## The Metadata API: records, over OAuth2', 'sh');
    assert.equal(commands.length, 3, 'a token; a record; a layer as a record');
    const { stdout, stderr } = await shell(commands.join('\n'), dir, { ...env, ...(server.database && { MAPSHELF_DATABASE_URL: server.database }) });
    const account = JSON.parse(stdout.split('\n').find((line) => line.startsWith('{'))!);
    assert.match(account._id, /^[0-9a-f]{32}$/, stdout);
    assert.equal(account.staff, true, 'the admin');
    const app = JSON.parse(readFileSync(join(dir, 'scripts-app.json'), 'utf8'));
    assert.deepEqual(Object.keys(app).sort(), ['client_id', 'client_secret']);
    assert.match(app.client_id, /^scripts-[0-9a-f]{32}$/);
    assert.match(stdout, /^pointOfContact\nCreative Commons Attribution 4\.0 International\n\/resources\/[0-9a-f]{32}\/links\/[0-9a-f]{32}\.bin\n1 contact, 1 condition, 1 link$/m, stdout);
    assert.match(stderr, /parcels\.xml validates/, stderr);
    assert.match(readFileSync(join(dir, 'parcels.xml'), 'utf8'), /Survey desk[\s\S]*Cite the Survey[\s\S]*Survey method/);
    assert.match(stdout, /^vectorDataset 241 Polygon id,name$/m, stdout);
  });

  it('the command-line walkthrough: login, import, search, a cropped Shapefile export, ogrinfo', async () => {
    const { dir, env } = await freshSetup();
    const walkthrough = blocks('## The command line', 'sh');
    assert.equal(walkthrough.length, 3, 'login, import, export');
    const { stdout, stderr } = await shell(walkthrough.join('\n'), dir, env);
    assert.match(stdout, /^layer +1 +World atlas: countries +ok +http:\/\/127\.0\.0\.1:8080\//m);
    assert.match(stdout, /^layer +2 +World atlas: land/m);
    assert.match(stderr, /^Published 2 items\.$/m);
    assert.match(stdout, /world-atlas-countries-SHP\.zip$/m);
    // What ogrinfo says of the unzipped Shapefile: New Zealand alone, cut to the box, in NZTM.
    assert.match(stdout, /Feature Count: 1\n/);
    assert.match(stdout, /NZGD2000 \/ New Zealand Transverse Mercator 2000/);
    const extent = /Extent: \(([\d.]+), ([\d.]+)\) - \(([\d.]+), ([\d.]+)\)/.exec(stdout)!.slice(1).map(Number);
    assert.ok(extent[0]! > 1_300_000 && extent[2]! < 1_700_000 && extent[1]! > 5_000_000 && extent[3]! < 5_350_000, `extent ${extent}`);
  });
});

// ---- The PostgreSQL section -----------------------------------------------------------------

/** Runs a command as root (the README's `sudo`), and what it printed; throws when it fails. */
async function asRoot(command: string): Promise<string> {
  const result = await runProcess('sudo', ['-n', 'bash', '-c', command], { env: process.env, timeoutMs: 120_000 });
  assert.equal(result.code, 0, `sudo ${command}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/**
 * Why the README's PostgreSQL section cannot run here, or null when it can: it needs `sudo`
 * without a password (root, as in CI) and Debian's PostgreSQL 15 cluster `main`, and it never
 * touches a `mapshelf` role that was there before it (a developer's own).
 */
async function systemPostgresUnusable(): Promise<string | null> {
  if ((await runProcess('sudo', ['-n', 'true'], { env: process.env }).catch(() => null))?.code !== 0) return 'needs sudo without a password';
  const clusters = await runProcess('pg_lsclusters', ['-h'], { env: process.env }).catch(() => null);
  if (!clusters || !/^15\s+main\s+5432\s/m.test(clusters.stdout)) return "needs Debian's PostgreSQL 15 cluster main on port 5432";
  return null;
}

describe("the README's PostgreSQL section, run as printed", { concurrency: 1 }, () => {
  it('installs and creates the database, then two API and two worker processes serve one catalog; a wrong password stops a process with one line', async (t) => {
    if (testStore !== 'postgres') return t.skip('runs on the PostgreSQL pass');
    const unusable = await systemPostgresUnusable();
    if (unusable) return t.skip(unusable);
    const [install, start] = blocks('## PostgreSQL/PostGIS and several processes', 'sh');
    assert.ok(install && start, 'the install and start blocks');
    const [packages, ...database] = install.trimEnd().split('\n');
    assert.match(packages!, /^sudo apt-get install /);
    const { dir, env } = emptyClone();
    chmodSync(dir, 0o755); // as a clone is, so that `sudo -u postgres` may start in it
    await shell(packages!, dir, env);
    // What systemd does on a Debian machine once the package is installed (a container has no
    // init); after the install, which may have upgraded the server.
    const wasDown = /^15\s+main\s+5432\s+down/m.test((await runProcess('pg_lsclusters', ['-h'], { env: process.env })).stdout);
    if (wasDown) await asRoot('pg_ctlcluster 15 main start');
    const psql = (sql: string) => asRoot(`runuser -u postgres -- psql -qAt -c "${sql}"`);
    if ((await psql("select 1 from pg_roles where rolname = 'mapshelf'")).trim()) {
      if (wasDown) await asRoot('pg_ctlcluster 15 main stop');
      return t.skip('the system PostgreSQL has a mapshelf role of its own; the test leaves it alone');
    }
    // The start block leaves its processes running: in a process group of their own, stopped at the end.
    let group: number | undefined;
    try {
      await shell(database.join('\n'), dir, env);
      const started = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
        const child = spawn('bash', ['-euo', 'pipefail', '-c', start], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
        group = child.pid;
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.on('error', reject).on('close', (code) => resolve({ code, stdout }));
      });
      assert.equal(started.code, 0, `${start}\n${started.stdout}\n${readFileSync(join(dir, 'api-2.log'), 'utf8')}`);
      assert.equal(JSON.parse(started.stdout).status, 'ok', started.stdout);

      // The offline token of the prose, then an import through one API process, done by the
      // workers, and read back through the other.
      const tokenCommand = /`(npx mapshelf token create [^`]+)`/.exec(readme)?.[1]?.replace(/\s+/g, ' ');
      assert.ok(tokenCommand, 'the offline token command');
      const databaseUrl = /export MAPSHELF_DATABASE_URL=(\S+)/.exec(start)![1]!;
      const shellEnv = { ...env, MAPSHELF_DATABASE_URL: databaseUrl, MAPSHELF_DATA_DIR: join(dir, 'mapshelf-files') };
      const token = (await shell(tokenCommand, dir, shellEnv)).stdout.trim().split('\n')[0]!;
      assert.match(token, /^\S{20,}$/);
      const cli = { ...shellEnv, MAPSHELF_URL: 'http://127.0.0.1:8080', MAPSHELF_TOKEN: token };
      const features = [[174.78, -41.29], [174.76, -36.85], [172.64, -43.53]].map((coordinates) => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates } }));
      writeFileSync(join(dir, 'cities.geojson'), JSON.stringify({ type: 'FeatureCollection', features }));
      const layerId = (await shell('npx mapshelf import cities.geojson --wait --quiet', dir, cli)).stdout.trim();
      const layer = await (await fetch(`http://127.0.0.1:8081/services/api/v1/layers/${layerId}/`, { headers: { authorization: `key ${token}` } })).json();
      assert.deepEqual([layer.version.status, layer.data.feature_count], ['ok', 3], JSON.stringify(layer));

      // A wrong password: one line saying what to check, and the configuration exit code.
      const wrong = await runProcess('npx', ['mapshelf', 'serve', '--port', '8082', '--database', databaseUrl.replace(':change-me@', ':wrong@')], { env: shellEnv, cwd: dir });
      assert.equal(wrong.code, ExitCode.config, wrong.stderr);
      assert.match(wrong.stderr, /^mapshelf: postgres:\/\/mapshelf:\*\*\*@localhost:5432\/mapshelf: PostgreSQL refused the user name or password .*Check the user and password in --database\.\n$/);
    } finally {
      if (group) {
        try {
          process.kill(-group, 'SIGTERM');
        } catch {
          // Every process of the group has ended already.
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      await psql('drop database if exists mapshelf with (force)');
      await psql('drop role if exists mapshelf');
      if (wasDown) await asRoot('pg_ctlcluster 15 main stop');
    }
  });
});
