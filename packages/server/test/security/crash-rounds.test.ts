/**
 * Crash rounds: a real server, run as a child process, is killed with SIGKILL during a scan,
 * an import, an export and an upload, and started again on the same data folder each time.
 * Afterwards every job has ended, the catalog and the files agree (no file without a row, no
 * row without its file, nothing left in tmp/), and the export reads back with GDAL.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { after, it } from 'node:test';
import { freePort } from '../helpers/ports.js';

const bin = new URL('../../../cli/dist/bin.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mapshelf-crash-rounds-'));
const dataDir = join(dir, 'data');
const token = randomBytes(32).toString('hex');
const count = 200_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
after(() => rmSync(dir, { recursive: true, force: true }));

let port = 0;
let server: ChildProcess | null = null;
let api = '';

async function start(): Promise<void> {
  port ||= await freePort();
  api = `http://127.0.0.1:${port}/services/api/v1/`;
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'], {
    env: { ...process.env, MAPSHELF_BOOTSTRAP_TOKEN: token },
    stdio: 'ignore',
  });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) {
        server = child;
        return;
      }
    } catch {
      // not up yet
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

async function stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  const child = server;
  server = null;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

after(() => stop('SIGKILL'));

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(path.startsWith('http') ? path : api + path, {
    method,
    headers: { authorization: `key ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status < 500, `${method} ${path}: ${res.status} ${text}`);
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls `read` until `done` says so; returns the last value. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(intervalMs);
  }
}

/** A GeoJSONSeq of `n` points with a few attributes, written as a stream. */
async function writePoints(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) {
    const line = `{"type":"Feature","properties":{"id":${i},"name":"p${i}","value":${(i * 0.37) % 100}},"geometry":{"type":"Point","coordinates":[${166 + (i % 1000) * 0.01},${-47 + Math.floor(i / 1000) * 0.01}]}}\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

/** ogr2ogr processes working in the server's scratch folder. */
function exportChildren(): number[] {
  const scratch = join(dataDir, 'tmp');
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmdline.includes('ogr2ogr') && cmdline.includes(scratch);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Every file under `folder`, relative to the data folder. */
function filesUnder(folder: string): string[] {
  const root = join(dataDir, folder);
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => relative(dataDir, path));
}

let sourceId = 0;
let layerUrl = '';
let exportId = 0;
let exportUrl = '';

it('a kill during a scan: after the restart the scan runs again and completes', async () => {
  const file = join(dir, 'points.geojsonl');
  await writePoints(file, count);
  await start();
  // Three copies, so the scan (which counts every feature of each) is still running when it is killed.
  const form = new FormData();
  form.append('source', JSON.stringify({ title: 'Points' }));
  const data = readFileSync(file);
  ['a.geojsonl', 'b.geojsonl', 'c.geojsonl'].forEach((name, i) => form.append(`file${i}`, new Blob([data]), name));
  const upload = await fetch(`${api}sources/`, { method: 'POST', headers: { authorization: `key ${token}` }, body: form });
  assert.equal(upload.status, 201, await upload.clone().text());
  sourceId = ((await upload.json()) as { id: number }).id;
  const scan = await until(
    async () => (await call('GET', `sources/${sourceId}/scans/`)).body[0],
    (s) => s?.status !== 'queued',
    20_000,
    5,
  );
  assert.equal(scan?.status, 'scanning', 'the scan should be under way before the kill');
  await stop('SIGKILL');

  await start();
  const finished = await until(
    async () => (await call('GET', `sources/${sourceId}/scans/`)).body[0],
    (s) => s && ['completed', 'error', 'cancelled'].includes(s.status),
    60_000,
  );
  assert.equal(finished.status, 'completed', JSON.stringify(finished));
  const datasources = (await call('GET', `sources/${sourceId}/datasources/`)).body as any[];
  assert.deepEqual(datasources.map((d) => d.num_features), [count, count, count]);
});

it('a kill during an import: after the restart the version imports and is ok', async () => {
  const datasources = (await call('GET', `sources/${sourceId}/datasources/`)).body as any[];
  const created = await call('POST', 'layers/', { title: 'Points', data: { datasources: [datasources[0].id], crs: 'EPSG:4326' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const versionUrl: string = created.body.version.url;
  const status = await until(async () => (await call('GET', versionUrl)).body.version.status, (s) => s !== 'queued', 20_000, 5);
  assert.equal(status, 'importing', 'the import should be under way before the kill');
  await stop('SIGKILL');

  await start();
  const version = await until(async () => (await call('GET', versionUrl)).body, (v) => v.version.status === 'ok' || v.version.status === 'error', 60_000);
  assert.equal(version.version.status, 'ok', JSON.stringify(version.version));
  assert.equal(version.data.feature_count, count);
  const published = await call('POST', `${versionUrl}publish/`, {});
  assert.equal(published.status, 201, JSON.stringify(published.body));
  await until(async () => (await call('GET', published.body.url)).body.state, (s) => s !== 'pending' && s !== 'publishing', 20_000);
  layerUrl = created.body.url;
});

it('a kill during an export: after the restart it completes, and the zip reads back with GDAL', async () => {
  // GML reprojected is slow to write, so the kill lands while ogr2ogr runs.
  const created = await call('POST', 'exports/', { crs: 'EPSG:2193', formats: { vector: 'application/gml+xml' }, items: [{ item: layerUrl }] });
  assert.equal(created.status, 202, JSON.stringify(created.body));
  exportId = created.body.id;
  exportUrl = created.body.url;
  const children = await until(async () => exportChildren(), (pids) => pids.length > 0, 30_000, 10);
  assert.ok(children.length > 0, 'ogr2ogr should be running before the kill');
  await stop('SIGKILL');

  await start();
  const exported = await until(async () => (await call('GET', exportUrl)).body, (e) => e.state !== 'processing', 120_000, 100);
  assert.equal(exported.state, 'complete', JSON.stringify(exported));
  const zip = join(dir, 'export.zip');
  const download = await fetch(exported.download_url, { headers: { authorization: `key ${token}` } });
  assert.equal(download.status, 200);
  writeFileSync(zip, Buffer.from(await download.arrayBuffer()));
  const info = execFileSync('ogrinfo', ['-ro', '-so', '-al', `/vsizip/${zip}/points/points.gml`], { encoding: 'utf8' });
  assert.match(info, new RegExp(`Feature Count: ${count}\\b`));
  assert.match(info, /NZGD2000|EPSG[",:]+2193/, 'the export is in the CRS asked for');
});

it('a kill during an upload: the partial upload leaves neither a source nor a file', async () => {
  const before = (await call('GET', 'sources/')).body as any[];
  const boundary = `----mapshelf${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\ncontent-disposition: form-data; name="source"\r\n\r\n${JSON.stringify({ title: 'Half' })}\r\n` +
      `--${boundary}\r\ncontent-disposition: form-data; name="file0"; filename="big.geojsonl"\r\ncontent-type: application/octet-stream\r\n\r\n`,
  );
  const chunk = Buffer.from(
    '{"type":"Feature","properties":{"id":1},"geometry":{"type":"Point","coordinates":[172.5,-41.2]}}\n'.repeat(10_000),
  );
  let sent = 0;
  let stopped = false;
  const aborter = new AbortController();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head);
    },
    // Streams until the server dies (then the test stops it).
    async pull(controller) {
      if (stopped) return controller.error(new Error('the test stopped the upload'));
      sent += chunk.length;
      controller.enqueue(chunk);
      if (sent > 20 * 1024 * 1024) await sleep(5);
    },
  });
  const upload = fetch(`${api}sources/`, {
    method: 'POST',
    headers: { authorization: `key ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
    duplex: 'half',
    signal: aborter.signal,
  } as RequestInit).then(
    (res) => ({ status: res.status }),
    (error: Error) => ({ error }),
  );
  // Wait until the file is being written to tmp/.
  const partial = await until(async () => filesUnder('tmp').map((f) => statSync(join(dataDir, f)).size), (sizes) => sizes.some((s) => s > 10 * 1024 * 1024), 30_000, 20);
  assert.ok(partial.some((s) => s > 10 * 1024 * 1024), 'the upload should be streaming into tmp/ before the kill');
  await stop('SIGKILL');
  stopped = true;
  const outcome = await Promise.race([upload, sleep(5000).then(() => ({ timeout: true }))]);
  aborter.abort();
  assert.ok('error' in outcome, `the upload should have failed with the server: ${JSON.stringify(outcome)}`);

  await start();
  const afterRestart = (await call('GET', 'sources/')).body as any[];
  assert.deepEqual(afterRestart.map((s) => s.id), before.map((s) => s.id), 'no source row was made from the partial upload');
  assert.deepEqual(filesUnder('tmp'), [], 'the partial upload is gone from tmp/');
});

it('after every round: all jobs ended, and the catalog and the files agree', async () => {
  await stop('SIGTERM');
  const db = new Database(join(dataDir, 'catalog.sqlite'), { readonly: true });
  try {
    const rows = <T>(query: string) => db.prepare(query).all() as T[];
    assert.deepEqual(rows(`select id, kind, status from jobs where status in ('queued', 'running')`), [], 'no job is left to run');
    assert.deepEqual(rows(`select id, kind, status from jobs where on_failure_due = 1`), [], 'every failure handler ran');
    assert.deepEqual(rows(`select id, status from scans where status not in ('completed', 'error', 'cancelled')`), []);
    assert.deepEqual(rows(`select id, status from versions where status not in ('ok', 'error')`), []);
    assert.deepEqual(rows(`select id, state from exports where state = 'processing'`), []);
    const exportRow = db.prepare('select state, file from exports where id = ?').get(exportId) as { state: string; file: string };
    assert.equal(exportRow.state, 'complete');

    // Rows point at files that exist…
    const sourceFolders = rows<{ folder: string }>('select folder from sources').map((r) => r.folder);
    for (const folder of sourceFolders) assert.ok(existsSync(join(dataDir, folder)), `source folder ${folder} exists`);
    const versionFiles = new Set(rows<{ data_file: string }>('select data_file from versions where data_file is not null').map((r) => r.data_file));
    const exportFiles = new Set(rows<{ file: string }>(`select file from exports where state = 'complete'`).map((r) => r.file));
    const documentFiles = new Set(rows<{ file: string }>('select file from documents').map((r) => r.file));
    for (const file of [...versionFiles, ...exportFiles, ...documentFiles]) assert.ok(existsSync(join(dataDir, file)), `${file} exists`);
    // …and every file belongs to a row.
    for (const file of filesUnder('sources')) {
      assert.ok(sourceFolders.some((folder) => file.startsWith(`${folder}/`)), `${file} belongs to a source`);
    }
    assert.deepEqual(filesUnder('layers').filter((f) => !versionFiles.has(f)), [], 'no layer file without its version');
    assert.deepEqual(filesUnder('exports').filter((f) => !exportFiles.has(f)), [], 'no export file without its complete export');
    assert.deepEqual(filesUnder('documents').filter((f) => !documentFiles.has(f)), [], 'no document file without its row');
    assert.deepEqual(filesUnder('tmp'), [], 'nothing is left in tmp/');
  } finally {
    db.close();
  }
});
