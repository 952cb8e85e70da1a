import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyBaseLogger } from 'fastify';
import { freePort } from './helpers/ports.js';
import { defaultJobTiming, JobQueue } from '../src/jobs/job-queue.js';
import { JobAbortedError, type JobKind } from '../src/jobs/job-kind.js';
import { Store } from '../src/store/store.js';
import { after, it } from 'node:test';

// A server killed with SIGKILL in the middle of an import (or an export) finishes it after a restart.
const bin = new URL('../../cli/dist/bin.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mapshelf-recovery-'));
const dataDir = join(dir, 'data');
const token = randomBytes(32).toString('hex');
/** The imported layer, which the export test uses. */
let layerUrl: string | undefined;
const count = 300_000;
after(() => rmSync(dir, { recursive: true, force: true }));

/** Calls the child server on `port` as the admin: a path under the API root, or a URL. */
function caller(port: number) {
  const api = `http://127.0.0.1:${port}/services/api/v1/`;
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(path.startsWith('http') ? path : api + path, {
      method,
      headers: { authorization: `key ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
}

/** Polls an export until it is no longer processing (two minutes at most); returns it. */
async function settled(call: ReturnType<typeof caller>, exportUrl: string): Promise<any> {
  let exported: any;
  for (let i = 0; i < 1200; i++) {
    exported = (await call('GET', exportUrl)).body;
    if (exported.state !== 'processing') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return exported;
}

async function serve(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'], {
    env: { ...process.env, MAPSHELF_BOOTSTRAP_TOKEN: token },
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

/** A GeoJSONSeq of `count` points with a few attributes, written as a stream. */
async function writePoints(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    const line = `{"type":"Feature","properties":{"id":${i},"name":"p${i}","value":${(i * 0.37) % 100}},"geometry":{"type":"Point","coordinates":[${166 + (i % 1000) * 0.01},${-47 + Math.floor(i / 1000) * 0.01}]}}\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

it('resumes an import interrupted by SIGKILL and ends it ok', async () => {
  const file = join(dir, 'points.geojsonl');
  await writePoints(file, count);
  const port = await freePort();
  const api = `http://127.0.0.1:${port}/services/api/v1/`;
  const headers = { authorization: `key ${token}` };
  const json = caller(port);

  let server = await serve(port);
  try {
    const form = new FormData();
    form.append('source', JSON.stringify({ title: 'Points' }));
    form.append('file0', new Blob([readFileSync(file)]), 'points.geojsonl');
    const upload = await fetch(`${api}sources/`, { method: 'POST', headers, body: form });
    assert.equal(upload.status, 201, await upload.clone().text());
    const source = (await upload.json()) as { id: number };
    let datasources: any[] = [];
    for (let i = 0; i < 300 && datasources.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      datasources = (await json('GET', `sources/${source.id}/datasources/`)).body;
    }
    assert.equal(datasources[0].num_features, count);

    const created = await json('POST', 'layers/', { title: 'Points', data: { datasources: [datasources[0].id], crs: 'EPSG:4326' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const versionUrl: string = created.body.version.url;
    let status = created.body.version.status;
    for (let i = 0; i < 200 && status !== 'importing'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      status = (await json('GET', versionUrl)).body.version.status;
    }
    assert.equal(status, 'importing', 'the import should be under way before the kill');
    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));

    server = await serve(port);
    let version: any;
    for (let i = 0; i < 600; i++) {
      version = (await json('GET', versionUrl)).body;
      if (version.version.status === 'ok' || version.version.status === 'error') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(version.version.status, 'ok', JSON.stringify(version.version));
    assert.equal(version.data.feature_count, count);
    assert.deepEqual(readdirSync(join(dataDir, 'tmp')), [], 'no scratch files are left behind');
    layerUrl = created.body.url;
    const published = await json('POST', `${versionUrl}publish/`, {});
    assert.equal(published.status, 201, JSON.stringify(published.body));
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
});

/** Processes whose command line mentions `text`, other than this one. */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

it('finishes an export interrupted by SIGKILL; its ogr2ogr dies with the server and no scratch file is left', async () => {
  assert.ok(layerUrl, 'the import test ran first');
  const port = await freePort();
  let server = await serve(port);
  const call = caller(port);
  try {
    // GML is slow to write, so the kill lands while ogr2ogr runs.
    const created = await call('POST', 'exports/', { crs: 'EPSG:2193', formats: { vector: 'application/gml+xml' }, items: [{ item: `http://127.0.0.1:${port}${new URL(layerUrl).pathname}` }] });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const exportUrl: string = created.body.url;
    const scratch = join(dataDir, 'tmp');
    let children: number[] = [];
    for (let i = 0; i < 300 && children.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      children = processesMentioning(scratch).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ogr2ogr'));
    }
    assert.ok(children.length > 0, 'ogr2ogr should be running before the kill');
    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
    for (let i = 0; i < 100 && processesMentioning(scratch).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(processesMentioning(scratch), [], 'ogr2ogr is killed with the server');

    server = await serve(port);
    const exported = await settled(call, exportUrl);
    assert.equal(exported.state, 'complete', JSON.stringify(exported));
    assert.deepEqual(readdirSync(scratch), [], 'no scratch files are left behind');
    const zip = join(dir, 'export.zip');
    writeFileSync(zip, Buffer.from(await (await fetch(exported.download_url, { headers: { authorization: `key ${token}` } })).arrayBuffer()));
    const info = execFileSync('ogrinfo', ['-ro', '-so', '-al', `/vsizip/${zip}/points/points.gml`], { encoding: 'utf8' });
    assert.match(info, new RegExp(`Feature Count: ${count}\\b`));
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
});

/** Polls until ogr2ogr runs on the server's scratch folder; returns its pids. */
async function waitForOgr2ogr(scratch: string, skip: ReadonlySet<number> = new Set(), timeoutMs = 60_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const children = processesMentioning(scratch).filter((pid) => {
      if (skip.has(pid)) return false;
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ogr2ogr');
      } catch {
        return false;
      }
    });
    if (children.length > 0 || Date.now() > deadline) return children;
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('finishes an export killed three times, during its run and during its recovery: restarts are not failures', async () => {
  assert.ok(layerUrl, 'the import test ran first');
  const port = await freePort();
  let server = await serve(port);
  const call = caller(port);
  const scratch = join(dataDir, 'tmp');
  const kills = 3;
  try {
    const created = await call('POST', 'exports/', { crs: 'EPSG:2193', formats: { vector: 'application/gml+xml' }, items: [{ item: `http://127.0.0.1:${port}${new URL(layerUrl).pathname}` }] });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const exportUrl: string = created.body.url;
    const exportId: number = created.body.id;
    // The export has max_attempts 2: before interruptions were counted apart, the second kill failed it.
    const killed = new Set<number>();
    for (let round = 1; round <= kills; round++) {
      const children = await waitForOgr2ogr(scratch, killed);
      assert.ok(children.length > 0, `round ${round}: ogr2ogr should be running before the kill`);
      for (const pid of children) killed.add(pid);
      server.kill('SIGKILL');
      await new Promise((r) => server.once('exit', r));
      server = await serve(port);
    }
    const exported = await settled(call, exportUrl);
    assert.equal(exported.state, 'complete', JSON.stringify(exported));
    assert.deepEqual(readdirSync(scratch), [], 'no scratch files are left behind');

    const db = new Database(join(dataDir, 'catalog.sqlite'), { readonly: true });
    try {
      const job = db.prepare('select j.* from jobs j join exports e on e.job_id = j.id where e.id = ?').get(exportId) as any;
      assert.equal(job.status, 'done');
      assert.equal(job.interruptions, kills, 'each kill counts as an interruption');
      assert.equal(job.attempts, 1, 'the one run that finished is the only attempt counted');
    } finally {
      db.close();
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
});

it('counts shutdowns and crashes apart from failures, and gives a job up after its tenth interruption', async () => {
  const storeDir = mkdtempSync(join(tmpdir(), 'mapshelf-interruptions-'));
  const store = await Store.open(storeDir);
  const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child: () => quiet } as unknown as FastifyBaseLogger;
  let started = 0;
  let finishOn = Infinity;
  const failures: string[] = [];
  const kind: JobKind<{ n: number }> = {
    name: 'hang',
    maxAttempts: 2,
    async perform(_payload, job) {
      started++;
      if (started >= finishOn) return;
      // Runs until the pool stops it.
      await new Promise((_resolve, reject) => job.signal.addEventListener('abort', () => reject(new JobAbortedError('aborted')), { once: true }));
    },
    async onFailure(_payload, message) {
      failures.push(message);
    },
  };
  const newPool = () => {
    const queue = new JobQueue(store.jobs, quiet, storeDir, defaultJobTiming, 1);
    queue.register(kind);
    return queue.workers;
  };
  const poolRound = async (crash: boolean) => {
    const pool = newPool();
    const before = started;
    if (crash) {
      // A dead process claimed it and never finished: the next start finds it running, its lease ended.
      const ended = { holder: 'a-dead-process', until: new Date(Date.now() - 1000).toISOString() };
      assert.ok(await store.jobs.claim(ended, new Date().toISOString(), []));
      await pool.start();
    } else {
      await pool.start();
    }
    for (let i = 0; i < 200 && started === before; i++) await new Promise((r) => setTimeout(r, 10));
    await pool.stop();
  };
  try {
    const now = new Date().toISOString();
    const id = await store.jobs.enqueue({ kind: 'hang', payload: { n: 1 }, runAt: now, maxAttempts: 2 }, now);
    // Crashes (each found at the next start, then a shutdown of the run after it) and shutdowns,
    // up to nine interruptions: the job is queued again each time, with no failed attempt.
    let expected = 0;
    for (let round = 1; expected < 9; round++) {
      const crash = round % 2 === 1 && expected <= 7;
      await poolRound(crash);
      expected += crash ? 2 : 1;
      const job = (await store.jobs.findById(id))!;
      assert.equal(job.status, 'queued', `round ${round}`);
      assert.equal(job.attempts, 0, 'an interruption gives its attempt back');
      assert.equal(job.interruptions, expected, `round ${round}`);
    }
    assert.deepEqual(failures, []);
    // Interrupted until the limit: given up, with a reason that says so, and its failure handler ran.
    await poolRound(false);
    const given = (await store.jobs.findById(id))!;
    assert.equal(given.status, 'failed');
    assert.equal(given.interruptions, 9, 'the tenth interruption gives up');
    assert.match(given.error ?? '', /kept being interrupted/);
    assert.equal(failures.length, 1);
    assert.match(failures[0]!, /kept being interrupted by server restarts/);
    assert.equal(given.onFailureDue, false);

    // A job interrupted four times that then runs to the end is done, after one attempt.
    finishOn = started + 4;
    const second = await store.jobs.enqueue({ kind: 'hang', payload: { n: 2 }, runAt: new Date().toISOString(), maxAttempts: 2 }, now);
    // A shutdown, a crash (two interruptions), a shutdown.
    for (let round = 0; round < 3; round++) await poolRound(round === 1);
    const pool = newPool();
    await pool.start();
    for (let i = 0; i < 200 && (await store.jobs.findById(second))!.status !== 'done'; i++) await new Promise((r) => setTimeout(r, 10));
    await pool.stop();
    const done = (await store.jobs.findById(second))!;
    assert.equal(done.status, 'done');
    assert.equal(done.attempts, 1);
    assert.equal(done.interruptions, 4);
  } finally {
    await store.close();
    rmSync(storeDir, { recursive: true, force: true });
  }
});
