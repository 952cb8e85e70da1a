/**
 * What new users hit first (issue 15), each run the way they run it: data without a CRS and
 * `import --crs`, `--quiet` piped into `xargs`, a table-only export, hints under `npx`, a second
 * `serve` on a busy port or data folder, a mistyped `--data-dir`, and request logs in a terminal.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExitCode } from '../src/exit-codes.js';
import { freePort } from '../../server/test/helpers/ports.js';
import { adminToken, startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { ogr2ogr } from '../../server/test/helpers/published-layers.js';
import { packagedData } from '../../server/test/helpers/uploads.js';
import { assertFailure, assertOk, cliBin, CliUser, installedBin, describeRun, lines, literal, runProcess, sleep, tempFolder } from './helpers/cli.js';

let work: string;
let server: TestServer;
let admin: CliUser;
/** A folder holding `mapshelf`, as `npm install -g` would put it on PATH. */
let binDir: string;

/** The environment of a person at a shell with `mapshelf` on PATH and their server set. */
const shellEnv = (extra: Record<string, string> = {}) => {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('MAPSHELF_') && !name.startsWith('npm_') && name !== 'NODE_TEST_CONTEXT') env[name] = value;
  return { ...env, PATH: `${binDir}:${process.env.PATH}`, XDG_CONFIG_HOME: join(work, 'config'), MAPSHELF_URL: server.url, MAPSHELF_TOKEN: adminToken, ...extra };
};

/** Runs a command line in `sh`, as typed. */
const sh = (commandLine: string, options: { cwd?: string; env?: Record<string, string> } = {}) =>
  runProcess('sh', ['-c', commandLine], { env: shellEnv(options.env), ...(options.cwd && { cwd: options.cwd }) });

const sourceIds = async () => ((await server.request('GET', 'sources/?page_size=100')).body as Array<{ id: number }>).map((s) => s.id);

before(async () => {
  work = tempFolder(tmpdir(), 'mapshelf-new-users');
  server = await startTestServer();
  admin = new CliUser(tempFolder(work, 'home'), { MAPSHELF_URL: server.url, MAPSHELF_TOKEN: adminToken });
  binDir = join(work, 'bin');
  mkdirSync(binDir);
  symlinkSync(installedBin, join(binDir, 'mapshelf'));
});

after(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('import of data without a CRS', () => {
  it('says the coordinates look projected, deletes the upload, and imports with --crs', async () => {
    // Points in metres (EPSG:5070, CONUS Albers), as a CSV of x/y columns: no CRS in the file.
    const csv = join(work, 'counties.csv');
    writeFileSync(csv, 'name,x,y\nKing,-2010000,3050000\nCook,680000,2110000\nHarris,-20000,780000\n');
    const before = await sourceIds();
    const refused = await admin.run(['import', csv, '--wait']);
    assert.equal(refused.code, ExitCode.usage, describeRun(refused));
    const message = lines(refused.stderr).at(-1)!;
    assert.match(message, /^mapshelf: The server refused the request: --crs: datasource \d+ has no CRS and its coordinates \(-2010000, 780000, 680000, 3050000\) look projected, not longitude\/latitude; give the EPSG code of the data's projected CRS .*--crs EPSG:xxxx/);
    assert.doesNotMatch(message, /4326/);
    assert.match(message, / Deleted source \d+, which this run had uploaded\.$/);
    assert.deepEqual(await sourceIds(), before, 'no source is left behind');

    const [id] = await admin.quiet(['import', csv, '--crs', 'EPSG:5070', '--wait']);
    const layer = (await server.request('GET', `layers/${id}/`)).body as { data: { crs: string; feature_count: number }; version: { status: string } };
    assert.deepEqual([layer.version.status, layer.data.crs, layer.data.feature_count], ['ok', 'EPSG:5070', 3]);
  });

  it('suggests EPSG:4326 for coordinates in longitude/latitude ranges; a bad --crs is refused before uploading', async () => {
    const csv = join(work, 'stations.csv');
    writeFileSync(csv, 'name,lon,lat\nWellington,174.78,-41.29\nAuckland,174.76,-36.85\n');
    const run = await admin.run(['import', csv]);
    assert.equal(run.code, ExitCode.usage, describeRun(run));
    assert.match(lines(run.stderr).at(-1)!, /has no CRS; give one, e.g\. --crs EPSG:4326 if its coordinates are longitude\/latitude in degrees\. Deleted source \d+/);
    const before = await sourceIds();
    assertFailure(await admin.run(['import', csv, '--crs', 'WGS84']), ExitCode.usage, /^mapshelf: --crs must be a code such as EPSG:2193 or ESRI:102100, not "WGS84"\.$/);
    assert.deepEqual(await sourceIds(), before);
  });
});

describe('ids and URLs', () => {
  it("the import example from --help works: --quiet prints ids and `xargs -n1 mapshelf layers show` shows each", async () => {
    const gpkg = join(work, 'data.gpkg');
    ogr2ogr(['-f', 'GPKG', '-nln', 'islands', '-where', "name IN ('Iceland', 'Ireland')", gpkg, packagedData('world-atlas/countries-110m.json'), 'countries']);
    const help = await sh('mapshelf import --help');
    assert.match(help.stdout, /mapshelf import data\.gpkg --publish --quiet \| xargs -n1 mapshelf layers show/);
    const run = await sh('mapshelf import data.gpkg --publish --wait --quiet | xargs -n1 mapshelf layers show', { cwd: work });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^Layer: +\d+: data$/m);
    assert.match(run.stdout, /^Features: +2$/m);
  });

  it('every command that takes an id takes the URL the server printed; another server\'s URL is refused', async () => {
    const [id] = await admin.quiet(['layers', 'list', '--drafts', '--limit', '1']);
    const url = `${server.api}layers/${id}/`;
    const byId = await admin.ok(['layers', 'show', id!, '--json']);
    assert.equal((await admin.ok(['layers', 'show', url, '--json'])).stdout, byId.stdout);
    assert.deepEqual(await admin.quiet(['layers', 'versions', url]), await admin.quiet(['layers', 'versions', id!]));
    const version = (JSON.parse(byId.stdout) as { mapshelf: { v1: { version: { id: number; url: string } } } }).mapshelf.v1.version;
    assert.equal((JSON.parse((await admin.ok(['layers', 'show', version.url, '--json'])).stdout) as { mapshelf: { v1: { version: { id: number } } } }).mapshelf.v1.version.id, version.id, 'a version URL shows that version');
    const [sourceId] = await admin.quiet(['sources', 'list', '--limit', '1']);
    assertOk(await admin.run(['sources', 'show', `${server.api}sources/${sourceId}/`]));

    assertFailure(await admin.run(['layers', 'show', `https://elsewhere.example.org/services/api/v1/layers/${id}/`]), ExitCode.usage, new RegExp(`is not a URL of the server this command talks to \\(${literal(server.url)}\\)`));
    assertFailure(await admin.run(['layers', 'show', `${server.api}sets/${id}/`]), ExitCode.usage, /is not the URL of one of the layers/);
    assertFailure(await admin.run(['sources', 'show', 'four']), ExitCode.usage, /^mapshelf: The source must be an id \(a positive whole number\) or its URL, not "four"\.$/);
  });
});

describe('export', () => {
  it('--table-format alone exports a table; --format is required only for layers', async () => {
    const csv = join(work, 'readings.csv');
    writeFileSync(csv, 'station,reading\nST01,0.37\nST02,0.74\n');
    const [tableId] = await admin.quiet(['import', csv, '--publish', '--wait']);
    const folder = tempFolder(work, 'xlsx');
    const run = await admin.run(['export', tableId!, '--table-format', 'xlsx', '-o', folder]);
    assertOk(run);
    const [zip] = readdirSync(folder);
    assert.equal(run.stdout, `${join(folder, zip!)}\n`);

    const [layerId] = await admin.quiet(['layers', 'list', '--drafts', '--limit', '1']);
    assertFailure(await admin.run(['export', layerId!, '--table-format', 'xlsx', '--crs', 'EPSG:4326', '-o', folder]), ExitCode.usage, /^mapshelf: Give the format for the layers with --format \(e\.g\. --format gpkg\)\. Choose one of: gpkg \(GeoPackage\)/);
  });

  it('says what the export leaves out: the world land in NZTM keeps what lies in its area of use', async () => {
    const land = join(work, 'land.gpkg');
    ogr2ogr(['-f', 'GPKG', land, packagedData('world-atlas/land-110m.json'), 'land', '-nlt', 'MULTIPOLYGON', '-a_srs', 'EPSG:4326']);
    const [layerId] = await admin.quiet(['import', land, '--publish', '--wait']);
    const folder = tempFolder(work, 'land');
    const run = await admin.run(['export', layerId!, '--format', 'shp', '--crs', 'EPSG:2193', '-o', folder]);
    assertOk(run);
    assert.match(run.stderr, /^Warning: .*area of use/m);
  });
});

describe('hints name the command as the user ran it', () => {
  it('`npx mapshelf` in a project gets `npx mapshelf …` hints; `mapshelf` gets `mapshelf …`', async () => {
    const project = join(work, 'project');
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    writeFileSync(join(project, 'package.json'), '{"name": "project", "private": true}\n');
    symlinkSync(installedBin, join(project, 'node_modules', '.bin', 'mapshelf'));
    const unset = { MAPSHELF_URL: '', MAPSHELF_TOKEN: '' };
    const viaNpx = await sh('npx --offline mapshelf whoami', { cwd: project, env: unset });
    assert.equal(viaNpx.code, ExitCode.config, viaNpx.stderr);
    assert.equal(viaNpx.stderr, 'mapshelf: No server configured. Run `npx mapshelf login --url URL --token TOKEN` once, or set MAPSHELF_URL and MAPSHELF_TOKEN.\n');
    const direct = await sh('mapshelf whoami', { cwd: project, env: unset });
    assert.equal(direct.stderr, 'mapshelf: No server configured. Run `mapshelf login --url URL --token TOKEN` once, or set MAPSHELF_URL and MAPSHELF_TOKEN.\n');
  });
});

interface Served {
  child: ChildProcess;
  port: number;
  output: () => { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/** `mapshelf serve` on a free port (or `port`), resolved once /health answers or the process ends. */
async function serve(dataDir: string, args: string[] = [], port?: number): Promise<Served> {
  port ??= await freePort();
  const child = spawn(process.execPath, [cliBin, 'serve', '--port', String(port), '--data-dir', dataDir, ...args], { env: shellEnv({ MAPSHELF_BOOTSTRAP_TOKEN: '' }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const served = { child, port, output: () => ({ stdout, stderr }), exited };
  for (let i = 0; i < 150 && child.exitCode === null; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return served;
    } catch {
      await sleep(100);
    }
  }
  await Promise.race([exited, sleep(1000)]);
  return served;
}

async function stop(served: Served): Promise<void> {
  served.child.kill('SIGTERM');
  await served.exited;
}

describe('serve and the data folder', () => {
  it('refuses a second server on the same data folder; a stale lock is taken over; the lock goes on exit', async () => {
    const dataDir = join(work, 'shared-data');
    const first = await serve(dataDir, ['--log-level', 'warn']);
    const lock = join(dataDir, 'server.lock');
    try {
      assert.equal(readFileSync(lock, 'utf8').trim(), String(first.child.pid));
      const second = await serve(dataDir, ['--log-level', 'warn']);
      assert.equal(await second.exited, ExitCode.config);
      assert.equal(
        second.output().stderr,
        `mapshelf: the data folder ${dataDir} is in use by another Mapshelf server (process ${first.child.pid}). Stop that server first, or give this one another --data-dir. If no server is running there, delete ${lock}.\n`,
      );
      assert.ok((await fetch(`http://127.0.0.1:${first.port}/health`)).ok, 'the first server still runs');
    } finally {
      await stop(first);
    }
    assert.equal(existsSync(lock), false, 'released on exit');

    // A lock left by a process that died (a SIGKILLed server, say) is taken over.
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('exit', resolve));
    writeFileSync(lock, `${dead.pid}\n`);
    const third = await serve(dataDir, ['--log-level', 'warn']);
    try {
      assert.ok((await fetch(`http://127.0.0.1:${third.port}/health`)).ok, third.output().stderr);
      assert.equal(readFileSync(lock, 'utf8').trim(), String(third.child.pid));
    } finally {
      await stop(third);
    }
  });

  it('tokens create --data-dir refuses a folder without a catalog unless --init', async () => {
    const typo = join(work, 'mapshelf-dta');
    const refused = await admin.run(['tokens', 'create', '--admin', '--data-dir', typo]);
    assertFailure(refused, ExitCode.config, new RegExp(`^mapshelf: ${literal(typo)} holds no Mapshelf catalog \\(no catalog\\.sqlite\\)\\. .*add --init to start a new catalog there\\.$`));
    assert.equal(existsSync(typo), false, 'nothing was created');
    const made = await admin.json<{ key: string }>(['tokens', 'create', '--admin', '--data-dir', typo, '--init']);
    assert.match(made.mapshelf.v1.key, /^msk_/);
    assert.ok(existsSync(join(typo, 'catalog.sqlite')));
    // Now that it holds a catalog, no --init is needed.
    await admin.ok(['tokens', 'create', '--data-dir', typo, '--scope', 'layers:read']);
  });

  it('logs one readable line per request in a terminal, and JSON in a pipe or with --log-format json', async () => {
    // In a pipe: JSON lines.
    const piped = await serve(join(work, 'logs-pipe'));
    await fetch(`http://127.0.0.1:${piped.port}/health`);
    await stop(piped);
    const json = lines(piped.output().stdout).map((line) => JSON.parse(line) as { msg: string });
    assert.ok(json.some((record) => record.msg === 'request completed'), piped.output().stdout);

    // In a terminal (script(1) gives it one), as `mapshelf serve` is started by hand.
    const port = await freePort();
    const typescript = join(work, 'serve.typescript');
    const dataDir = join(work, 'logs-tty');
    const child = spawn('script', ['-qfec', `mapshelf serve --port ${port} --data-dir ${dataDir}`, typescript], { env: shellEnv({ MAPSHELF_BOOTSTRAP_TOKEN: '' }), stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      let up = false;
      for (let i = 0; i < 150 && !up; i++) {
        up = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
        if (!up) await sleep(100);
      }
      assert.ok(up, existsSync(typescript) ? readFileSync(typescript, 'utf8') : 'no output');
      await fetch(`http://127.0.0.1:${port}/services/api/v1/nothing-here/?page=1`);
      await sleep(300);
    } finally {
      // script runs the server as its child: stop that by the pid its lock file holds.
      const pid = Number(readFileSync(join(dataDir, 'server.lock'), 'utf8'));
      process.kill(pid, 'SIGTERM');
      await exited;
    }
    const screen = readFileSync(typescript, 'utf8').replace(/\r/g, '');
    assert.match(screen, /^\d\d:\d\d:\d\d GET \/health 200 [\d.]+ ms$/m);
    assert.match(screen, /^\d\d:\d\d:\d\d GET \/services\/api\/v1\/nothing-here\/\?page=1 404 [\d.]+ ms$/m);
    assert.doesNotMatch(screen, /"msg"/, 'no JSON in a terminal');

    // --log-format json in a terminal, and pretty in a pipe, when asked.
    const asked = await serve(join(work, 'logs-asked'), ['--log-format', 'pretty']);
    await fetch(`http://127.0.0.1:${asked.port}/health`);
    await stop(asked);
    assert.match(asked.output().stdout, /^\d\d:\d\d:\d\d GET \/health 200 [\d.]+ ms$/m);
    const bad = await runProcess(process.execPath, [cliBin, 'serve', '--log-format', 'yaml', '--data-dir', join(work, 'never')], { env: shellEnv() });
    assert.deepEqual([bad.code, bad.stderr], [ExitCode.config, 'mapshelf: --log-format must be pretty or json, not "yaml"\n']);
  });
});
