import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './helpers/ports.js';
import { after, it } from 'node:test';

// A server killed with SIGKILL in the middle of an import finishes the import after a restart.
const bin = new URL('../../cli/dist/bin.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mapshelf-recovery-'));
const dataDir = join(dir, 'data');
const token = 'recovery-token';
after(() => rmSync(dir, { recursive: true, force: true }));

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
  const count = 300_000;
  const file = join(dir, 'points.geojsonl');
  await writePoints(file, count);
  const port = await freePort();
  const api = `http://127.0.0.1:${port}/services/api/v1/`;
  const headers = { authorization: `key ${token}` };
  const json = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(path.startsWith('http') ? path : api + path, {
      method,
      headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

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
  } finally {
    server.kill('SIGTERM');
  }
});
