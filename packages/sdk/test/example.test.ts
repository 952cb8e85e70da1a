/** `examples/quickstart.ts` runs, start to end, against a real server, as its README says to run it. */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { adminToken, startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { packagedData } from '../../server/test/helpers/uploads.js';

const example = new URL('../examples/quickstart.ts', import.meta.url).pathname;
let server: TestServer;
let work: string;
let gpkg: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'mapshelf-example-'));
  gpkg = join(work, 'roads.gpkg');
  // New Zealand's outline as a small GeoPackage layer, so the EPSG:2193 export has something to hold.
  execFileSync('ogr2ogr', ['-f', 'GPKG', gpkg, packagedData('world-atlas/countries-110m.json'), 'countries', '-where', "name = 'New Zealand'", '-nln', 'roads', '-a_srs', 'EPSG:4326']);
  server = await startTestServer();
});

after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

it('runs the quick start example against a server, every step', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', example, gpkg], {
    env: { ...process.env, MAPSHELF_URL: server.url, MAPSHELF_TOKEN: adminToken, KOORDINATES_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, out);
  for (const line of [
    /^signed in as /m,
    /^scan completed$/m,
    /^import 100%$/m,
    /^publish completed$/m,
    /^CRS EPSG:4326, 1 features$/m,
    /^versions: 1, 2$/m,
    /^export valid: true/m,
    /^saved .*quick-start-roads-SHP\.zip$/m,
    /^as expected, the reader token lacks layers:read/m,
  ]) {
    assert.match(out, line);
  }
});
