import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from './helpers/ports.js';
import { createTestDatabase, queryCatalog, testStore, type TestDatabase } from './helpers/test-database.js';

// API processes (`serve --no-workers`: one on SQLite, two on PostgreSQL) and two `mapshelf worker`
// processes on one store and data folder: jobs are shared between the workers, each run once; a
// worker killed mid-export leaves its job to the other once its lease ends; a cancel sent to an
// API process (on PostgreSQL, the one that did not create the export) stops the job in the worker
// running it.
const bin = new URL('../../cli/dist/bin.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mapshelf-processes-'));
const dataDir = join(dir, 'data');
const scratch = join(dataDir, 'tmp');
const token = randomBytes(32).toString('hex');
/** A short lease keeps the takeover quick; it must still outlast GDAL's longest blocking step here (about 1.5 s for the large layer's import). */
const env = { ...process.env, MAPSHELF_BOOTSTRAP_TOKEN: token, MAPSHELF_JOB_LEASE: '5s', MAPSHELF_JOB_RENEWAL: '1s' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Child {
  process: ChildProcess;
  /** Its standard output so far (JSON log lines). */
  stdout: () => string;
  exited: Promise<unknown>;
}

/** The store's database on a PostgreSQL run (made in `before`), null on SQLite. */
let database: TestDatabase | null = null;
const apiCount = testStore === 'postgres' ? 2 : 1;

function start(args: string[]): Child {
  const store = database ? ['--database', database.url] : [];
  const child = spawn(process.execPath, [bin, ...args, '--data-dir', dataDir, ...store, '--log-format', 'json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.resume();
  return { process: child, stdout: () => stdout, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

const worker = () => start(['worker', '--log-level', 'info']);

async function stop(child: Child, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill(signal);
  await child.exited;
}

/** The ids of the jobs a worker's log says it started, one entry per start. */
function startedJobs(child: Child): number[] {
  return child
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; jobId?: number })
    .filter((record) => record.jobId !== undefined && / started$/.test(record.msg ?? ''))
    .map((record) => record.jobId!);
}

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** ogr2ogr processes started by the process `pid` (setpriv execs it, so it is the child). */
function ogr2ogrOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('ogr2ogr');
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Whether the process runs still (a zombie, dead but not yet reaped, has no command line). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').length > 0;
  } catch {
    return false;
  }
}

const catalog = () => ({ dataDir, database: database?.url ?? null });

async function jobRow(jobId: number): Promise<{ status: string; attempts: number; interruptions: number; cancel_requested: number }> {
  const [row] = await queryCatalog<{ status: string; attempts: number; interruptions: number; cancel_requested: number | boolean }>(
    catalog(),
    'select status, attempts, interruptions, cancel_requested from jobs where id = ?',
    [jobId],
  );
  // 0/1 on SQLite, a boolean on PostgreSQL.
  return { ...row!, cancel_requested: Number(row!.cancel_requested) };
}

describe(`${apiCount} API process(es) and two worker processes on one ${testStore} store and data folder`, () => {
  let apis: Child[] = [];
  let workers: Child[] = [];
  let call: (method: string, path: string, body?: unknown, via?: number) => Promise<{ status: number; body: any }>;
  let bases: string[];
  let base: string;
  /** A published layer of 100 points, and one of 60,000 that takes seconds to write as GML. */
  let small: string;
  let large: string;

  async function layer(title: string, count: number): Promise<string> {
    const lines = Array.from({ length: count }, (_, i) => `{"type":"Feature","properties":{"id":${i},"name":"p${i}"},"geometry":{"type":"Point","coordinates":[${166 + (i % 300) * 0.02},${-47 + Math.floor(i / 300) * 0.02}]}}`);
    const form = new FormData();
    form.append('source', JSON.stringify({ title }));
    form.append('file0', new Blob([`${lines.join('\n')}\n`]), `${title}.geojsonl`);
    const upload = await fetch(`${base}sources/`, { method: 'POST', headers: { authorization: `key ${token}` }, body: form });
    assert.equal(upload.status, 201, await upload.clone().text());
    const source = (await upload.json()) as { id: number };
    const [datasource] = await until('the scan', async () => {
      const found = (await call('GET', `sources/${source.id}/datasources/`)).body as any[];
      return found.length > 0 ? found : undefined;
    });
    const created = await call('POST', 'layers/', { title, data: { datasources: [datasource.id], crs: 'EPSG:4326' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await until('the import', async () => ((await call('GET', created.body.version.url)).body.version.status === 'ok' ? true : undefined));
    const published = await call('POST', `${created.body.version.url}publish/`, {});
    assert.equal(published.status, 201, JSON.stringify(published.body));
    return created.body.url;
  }

  const exportOf = async (layerUrl: string, format: string) => {
    const created = await call('POST', 'exports/', { crs: 'EPSG:2193', formats: { vector: format }, items: [{ item: layerUrl }] }, 0);
    assert.equal(created.status, 202, JSON.stringify(created.body));
    return created.body as { id: number; url: string };
  };
  const exportJob = async (exportId: number) => (await queryCatalog<{ job_id: number }>(catalog(), 'select job_id from exports where id = ?', [exportId]))[0]!.job_id;

  before(async () => {
    database = await createTestDatabase();
    const ports = await Promise.all(Array.from({ length: apiCount }, () => freePort()));
    bases = ports.map((port) => `http://127.0.0.1:${port}/services/api/v1/`);
    base = bases[0]!;
    // Calls go to each API process in turn (`via` picks one).
    let turn = 0;
    call = async (method, path, body, via = turn++ % apiCount) => {
      const url = path.startsWith('http') ? path.replace(base, bases[via]!) : bases[via]! + path;
      const res = await fetch(url, {
        method,
        headers: { authorization: `key ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    // Started together: on a fresh PostgreSQL database, they migrate it once between them. As
    // behind a load balancer, each has the same public URL (the first one's), so the URLs one
    // API process answers with are URLs of every other.
    apis = ports.map((port) => start(['serve', '--no-workers', '--port', String(port), '--log-level', 'warn', '--public-url', `http://127.0.0.1:${ports[0]}`]));
    for (const port of ports) await until('the API', () => fetch(`http://127.0.0.1:${port}/health`).then((r) => (r.ok ? true : undefined), () => undefined), 15_000);
    workers = [worker(), worker()];
    small = await layer('small', 100);
    large = await layer('large', 60_000);
  });

  after(async () => {
    // SIGKILL: a worker a failed test left frozen would never act on SIGTERM.
    await Promise.all([...apis, ...workers].filter(Boolean).map((child) => stop(child, 'SIGKILL')));
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a token revoked through one API process in every one at once, though each kept the actor behind it', async () => {
    const created = await call('POST', 'tokens/', { name: 'short-lived', scope: 'catalog layers:read' }, 0);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const search = (via: number) => fetch(`${bases[via]}data/`, { headers: { authorization: `key ${created.body.key}` } });
    // Twice in each process: the second answer comes from the actor it kept.
    for (let via = 0; via < apiCount; via++) for (const _ of [1, 2]) assert.equal((await search(via)).status, 200);
    const revoked = await fetch(`${bases[apiCount - 1]}tokens/${created.body.id}/`, { method: 'DELETE', headers: { authorization: `key ${token}` } });
    assert.equal(revoked.status, 204);
    for (let via = 0; via < apiCount; via++) assert.equal((await search(via)).status, 401);
  });

  it('runs 50 exports, each exactly once, shared between the workers', async (t) => {
    const made: Array<{ id: number; url: string }> = [];
    for (let i = 0; i < 50; i++) made.push(await exportOf(small, 'text/csv'));
    for (const { url } of made) await until(`export ${url}`, async () => ((await call('GET', url)).body.state === 'complete' ? true : undefined));

    const jobIds = await Promise.all(made.map(({ id }) => exportJob(id)));
    const started = workers.map(startedJobs);
    t.diagnostic(`exports run by each worker: ${started.map((ids) => ids.filter((id) => jobIds.includes(id)).length).join(', ')}`);
    for (const jobId of jobIds) {
      assert.equal(started.flat().filter((id) => id === jobId).length, 1, `job ${jobId} started once, in one worker`);
      assert.deepEqual(await jobRow(jobId), { status: 'done', attempts: 1, interruptions: 0, cancel_requested: 0 });
    }
    for (const [i, ids] of started.entries()) assert.ok(ids.some((id) => jobIds.includes(id)), `worker ${i + 1} ran some of the exports`);
    assert.deepEqual(readdirSync(scratch), [], 'no scratch folder is left');
  });

  it('finishes an export in the other worker when the worker running it is killed: at once on this machine, after its lease on another', async (t) => {
    const survivorOf = (dead: Child) => workers.find((w) => w !== dead)!;
    const running = async (exportId: number) => {
      const worker = await until('ogr2ogr in a worker', () => workers.find((w) => ogr2ogrOf(w.process.pid!).length > 0));
      return { worker, children: ogr2ogrOf(worker.process.pid!), jobId: await exportJob(exportId) };
    };
    const completes = async (made: { url: string }) => {
      const exported = await until('the export', async () => {
        const body = (await call('GET', made.url)).body;
        return body.state === 'processing' ? undefined : body;
      }, 120_000);
      assert.equal(exported.state, 'complete', JSON.stringify(exported));
      return exported;
    };

    // Killed: its process id is gone from this machine, so the other worker need not wait for the lease.
    const first = await exportOf(large, 'application/gml+xml');
    const killed = await running(first.id);
    await stop(killed.worker, 'SIGKILL');
    await until('ogr2ogr to die with its worker', () => (killed.children.some(alive) ? undefined : true), 5000);
    const killedAt = Date.now();
    await until('the takeover', () => (startedJobs(survivorOf(killed.worker)).includes(killed.jobId) ? true : undefined), 10_000);
    t.diagnostic(`killed: taken over after ${Date.now() - killedAt} ms`);
    assert.ok(Date.now() - killedAt < 4000, 'taken over before its lease (5 s) ended');
    await completes(first);
    workers = [survivorOf(killed.worker), worker()];

    // Frozen, as a worker on a lost machine looks from here: its job waits for the lease to end,
    // even for a worker that starts meanwhile.
    const made = await exportOf(large, 'application/gml+xml');
    const frozen = await running(made.id);
    const survivor = survivorOf(frozen.worker);
    for (const pid of [frozen.worker.process.pid!, ...frozen.children]) process.kill(pid, 'SIGSTOP');
    const frozenAt = Date.now();
    const late = worker();
    await until('the takeover', () => [survivor, late].find((w) => startedJobs(w).includes(frozen.jobId)), 20_000);
    const waited = Date.now() - frozenAt;
    t.diagnostic(`frozen: taken over after ${waited} ms`);
    assert.ok(waited >= 3000, `the takeover waited for the lease to end (${waited} ms)`);
    // The frozen worker dies in the end; its ogr2ogr with it, though stopped.
    await stop(frozen.worker, 'SIGKILL');
    await until('ogr2ogr to die with its worker', () => (frozen.children.some(alive) ? undefined : true), 5000);
    const exported = await completes(made);
    for (const { jobId } of [killed, frozen]) {
      const row = await jobRow(jobId);
      assert.deepEqual({ status: row.status, interruptions: row.interruptions, attempts: row.attempts }, { status: 'done', interruptions: 1, attempts: 1 });
    }
    assert.deepEqual(readdirSync(scratch), [], 'no scratch folder is left, the dead run\'s included');
    const zip = join(dir, 'taken-over.zip');
    writeFileSync(zip, Buffer.from(await (await fetch(exported.download_url, { headers: { authorization: `key ${token}` } })).arrayBuffer()));
    assert.match(execFileSync('ogrinfo', ['-ro', '-so', '-al', `/vsizip/${zip}/large/large.gml`], { encoding: 'utf8' }), /Feature Count: 60000\b/);
    workers = [survivor, late];
  });

  it('stops an export running in a worker process when the API is asked to cancel it', async (t) => {
    const made = await exportOf(large, 'application/gml+xml');
    const running = await until('ogr2ogr in a worker', () => workers.find((w) => ogr2ogrOf(w.process.pid!).length > 0));
    const children = ogr2ogrOf(running.process.pid!);
    const asked = Date.now();
    // Through the last API process: on PostgreSQL, not the one the export was made through.
    const cancelled = await call('DELETE', made.url, undefined, apiCount - 1);
    const took = Date.now() - asked;
    t.diagnostic(`the cancel took ${took} ms`);
    assert.equal(cancelled.status, 202, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.state, 'cancelled');
    assert.ok(took < 3000, `the cancel came back in ${took} ms`);
    assert.deepEqual(children.filter(alive), [], 'ogr2ogr was killed');
    const row = await jobRow(await exportJob(made.id));
    assert.equal(row.status, 'cancelled');
    assert.equal(row.interruptions, 0);
    assert.deepEqual(readdirSync(scratch), [], 'no scratch folder is left');
    assert.equal((await call('GET', made.url)).body.state, 'cancelled');
  });
});
