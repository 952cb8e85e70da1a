/**
 * The process roles as a person types them at a shell: `mapshelf serve --no-workers` serves the
 * API and leaves jobs queued; `mapshelf worker` on the same data folder runs them and stops
 * cleanly on SIGTERM; their --help explains both.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ExitCode } from '../src/exit-codes.js';
import { freePort } from '../../server/test/helpers/ports.js';
import { runProcess, sleep, tempFolder } from './helpers/cli.js';

/** The command's committed entry point, as npm links it onto PATH. */
const entryPoint = fileURLToPath(new URL('../bin/mapshelf.js', import.meta.url));
let work: string;
let binDir: string;
const token = 'roles-bootstrap-3c9e1f7a5b2d48e60a1f9c7b3e5d2a84';

/** A person's shell: `mapshelf` on PATH (as `npm install -g` puts it), no MAPSHELF_* of the test's own. */
const shellEnv = (extra: Record<string, string> = {}) => {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('MAPSHELF_') && !name.startsWith('npm_') && name !== 'NODE_TEST_CONTEXT') env[name] = value;
  return { ...env, PATH: `${binDir}:${process.env.PATH}`, XDG_CONFIG_HOME: join(work, 'config'), ...extra };
};

const sh = (commandLine: string, env: Record<string, string> = {}) => runProcess('sh', ['-c', commandLine], { env: shellEnv(env), cwd: work });

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** A long-running command line; `exec` so that signals reach mapshelf itself. */
function background(commandLine: string, env: Record<string, string> = {}): Running {
  const child = spawn('sh', ['-c', `exec ${commandLine}`], { env: shellEnv(env), cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return { child, stderr: () => stderr, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

before(() => {
  work = tempFolder(tmpdir(), 'mapshelf-roles');
  binDir = join(work, 'bin');
  mkdirSync(binDir);
  symlinkSync(entryPoint, join(binDir, 'mapshelf'));
});

after(() => rmSync(work, { recursive: true, force: true }));

describe('process roles', () => {
  it('worker --help and serve --help explain the roles', async () => {
    const worker = await sh('mapshelf worker --help');
    assert.equal(worker.code, 0, worker.stderr);
    for (const topic of [/^Usage: mapshelf worker \[options\]$/m, /--data-dir <path>/, /--job-lease <duration>/, /--job-renewal <duration>/, /--export-ttl/, /mapshelf serve --no-workers/, /SIGTERM/, /MAPSHELF_JOB_LEASE/, /^Examples:\n {2}mapshelf worker --data-dir /m]) {
      assert.match(worker.stdout, topic);
    }
    const serve = await sh('mapshelf serve --help');
    assert.equal(serve.code, 0, serve.stderr);
    for (const topic of [/--no-workers/, /mapshelf worker --data-dir/, /MAPSHELF_WORKERS/]) assert.match(serve.stdout, topic);
    const top = await sh('mapshelf --help');
    assert.match(top.stdout, /^ {2}worker \[options\] +Run jobs/m);
  });

  it('serve --no-workers leaves jobs queued until `mapshelf worker` runs them; a worker stops cleanly on SIGTERM', async () => {
    const dataDir = join(work, 'data');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const api = background(`mapshelf serve --no-workers --port ${port} --data-dir ${dataDir} --log-level warn`, { MAPSHELF_BOOTSTRAP_TOKEN: token });
    const workers: Running[] = [];
    try {
      await until('the API', () => fetch(`${url}/health`).then((r) => r.ok, () => false));
      assert.match(api.stderr(), new RegExp(`^ {2}Jobs run in \`mapshelf worker --data-dir ${dataDir}\` processes, not this one\\.$`, 'm'));

      writeFileSync(join(work, 'places.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'a' }, geometry: { type: 'Point', coordinates: [174.7, -41.3] } }] }));
      const user = { MAPSHELF_URL: url, MAPSHELF_TOKEN: token };
      const importing = sh('mapshelf import places.geojson --wait --quiet', user);
      let imported = false;
      void importing.then(() => (imported = true));
      await sleep(2500);
      assert.equal(imported, false, 'with no worker, the import waits in the queue');
      const scans = (await (await fetch(`${url}/services/api/v1/sources/1/scans/`, { headers: { authorization: `key ${token}` } })).json()) as Array<{ status: string }>;
      assert.deepEqual(scans.map((scan) => scan.status), ['queued']);

      // Any number of workers share the folder with the API process.
      workers.push(background(`mapshelf worker --data-dir ${dataDir} --log-level warn`), background(`mapshelf worker --data-dir ${dataDir} --log-level warn`));
      const done = await importing;
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stdout, /^\d+\n$/, 'the imported layer id');
      for (const worker of workers) assert.match(worker.stderr(), new RegExp(`^Mapshelf \\S+ is running jobs from ${dataDir}$`, 'm'));

      // A second API process on the folder is still refused.
      const second = await sh(`mapshelf serve --no-workers --port ${await freePort()} --data-dir ${dataDir}`);
      assert.equal(second.code, ExitCode.config);
      assert.match(second.stderr, /^mapshelf: the data folder .* is in use by another Mapshelf server \(process \d+\)\./);

      for (const worker of workers) worker.child.kill('SIGTERM');
      for (const worker of workers) {
        assert.equal(await worker.exited, 0);
        assert.match(worker.stderr(), /mapshelf: stopped on SIGTERM\n$/);
      }
    } finally {
      for (const running of [...workers, api]) if (running.child.exitCode === null) running.child.kill('SIGTERM');
      await Promise.all([...workers, api].map((running) => running.exited));
    }
  });

  it('refuses a lease renewal that could come after the lease ends, in one line', async () => {
    const refused = await sh(`mapshelf worker --data-dir ${join(work, 'unused')} --job-lease 10s --job-renewal 6s`);
    assert.equal(refused.code, ExitCode.config);
    assert.equal(refused.stderr, 'mapshelf: --job-renewal must be at most half of --job-lease (10s), not 6s\n');
  });
});
