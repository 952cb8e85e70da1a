/**
 * The SDK's ESM build in a real browser (Debian's Chromium, driven by playwright-core): a page
 * served from another origin imports it, lists layers from a Mapshelf server that allows that
 * origin (CORS), creates an export and downloads it into a WritableStream with progress.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { after, before, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { adminToken, startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { datasourceFor, ogr2ogr, publishedLayer, uploadDatasources } from '../../server/test/helpers/published-layers.js';
import { packagedData } from '../../server/test/helpers/uploads.js';

const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const sdkDist = new URL('../dist/', import.meta.url).pathname;

let api: TestServer;
let pages: Server;
let pageOrigin: string;
let browser: Browser;
let work: string;
let layerUrl: string;

/** Serves a blank page and the SDK's build under /sdk/, as a web app's own origin would. */
function servePages(): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>SDK in a browser</title>');
      return;
    }
    const file = normalize(join(sdkDist, path.replace(/^\/sdk\//, '')));
    if (!path.startsWith('/sdk/') || !file.startsWith(sdkDist) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  assert.ok(chromiumPath, 'Chromium is missing: run scripts/setup.sh (it installs Debian\'s chromium package).');
  pages = await servePages();
  pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  api = await startTestServer({ corsOrigins: [pageOrigin] });
  work = mkdtempSync(join(tmpdir(), 'mapshelf-browser-'));
  const gpkg = join(work, 'countries.gpkg');
  ogr2ogr(['-f', 'GPKG', gpkg, packagedData('world-atlas/countries-110m.json'), 'countries', '-where', "name IN ('New Zealand', 'Australia')", '-nln', 'countries', '-a_srs', 'EPSG:4326']);
  const datasources = await uploadDatasources(api, 'Countries', gpkg);
  layerUrl = (await publishedLayer(api, 'layers', { title: 'Tasman Countries', data: { datasources: [datasourceFor(datasources, 'countries').id] } })).url;
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await api?.close();
  await new Promise((resolve) => pages?.close(resolve));
  if (work) rmSync(work, { recursive: true, force: true });
});

it('lists layers and downloads an export with progress from a browser page on another origin', async () => {
  const page = await browser.newPage();
  const failures: string[] = [];
  page.on('pageerror', (error) => failures.push(error.message));
  await page.goto(`${pageOrigin}/`);
  // Sent as source text: the test runner's transpiler would add helpers the page does not have.
  const script = `(async ({ baseUrl, token, layerUrl }) => {
    const { Client, Export } = await import('/sdk/index.js');
    const client = new Client({ baseUrl, token });
    const layers = await client.layers.list().toArray();
    const count = await client.layers.list().count();
    const job = await client.exports.create(new Export({ crs: 'EPSG:2193', formats: { vector: 'application/x-ogc-gpkg' } }).addItem(layerUrl));
    const done = await job.waitUntilComplete({ intervalMs: 100 });
    const chunks = [];
    const progress = [];
    await done.download(new WritableStream({ write: (chunk) => void chunks.push(chunk) }), { onProgress: (r, t) => progress.push([r, t]) });
    const bytes = chunks.reduce((n, c) => n + c.length, 0);
    return { titles: layers.map((l) => l.title), count, state: done.state, bytes, head: Array.from(chunks[0].slice(0, 4)), progress };
  })(${JSON.stringify({ baseUrl: api.url, token: adminToken, layerUrl })})`;
  const result = (await page.evaluate(script)) as {
    titles: string[];
    count: number;
    state: string;
    bytes: number;
    head: number[];
    progress: Array<[number, number | null]>;
  };
  assert.deepEqual(failures, []);
  assert.deepEqual(result.titles, ['Tasman Countries']);
  assert.equal(result.count, 1, 'the count came from X-Resource-Range, which CORS exposes');
  assert.equal(result.state, 'complete');
  assert.deepEqual(result.head, [0x50, 0x4b, 0x03, 0x04], 'a zip');
  assert.ok(result.bytes > 1000, `${result.bytes} bytes`);
  assert.deepEqual(result.progress.at(-1), [result.bytes, result.bytes], 'progress ends at the Content-Length CORS exposes');
});

it('refuses other origins: no CORS headers, so the browser blocks the response', async () => {
  const allowed = await fetch(`${api.api}layers/`, { method: 'OPTIONS', headers: { origin: pageOrigin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
  assert.equal(allowed.status, 204);
  assert.equal(allowed.headers.get('access-control-allow-origin'), pageOrigin);
  assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /Authorization/);
  const other = await fetch(`${api.api}layers/`, { headers: { origin: 'https://evil.example', authorization: `key ${adminToken}` } });
  assert.equal(other.status, 200);
  assert.equal(other.headers.get('access-control-allow-origin'), null);
});
