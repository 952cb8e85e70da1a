/**
 * The API docs page as a browser on another machine sees it over plain HTTP: headless Chromium
 * opens it under a host name that is not localhost (mapped to 127.0.0.1, so nothing leaves the
 * machine), which browsers don't treat as secure, and the page must render, branded Mapshelf.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startTestServer, type TestServer } from './helpers/server.js';

const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

describe('the API docs page', () => {
  let server: TestServer;
  let browser: Browser | undefined;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sends a policy that lets its scripts and styles load over plain HTTP, and names Mapshelf', async () => {
    const page = await fetch(`${server.api}docs/`);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.ok(csp.includes("default-src 'self'"), csp);
    assert.ok(!csp.includes('upgrade-insecure-requests'), csp);
    const html = await page.text();
    assert.match(html, /<title>Mapshelf API<\/title>/);
    const assets = [...html.matchAll(/(?:src|href)="(\.\/[^"]+)"/g)].map((m) => new URL(m[1]!, `${server.api}docs/`).href);
    assert.ok(assets.length >= 3, html);
    for (const asset of assets) assert.equal((await fetch(asset)).status, 200, asset);
  });

  it('renders in a browser that reaches the server by a name other than localhost', async () => {
    assert.ok(chromiumPath, "Chromium is missing: run scripts/setup.sh --tests (it installs Debian's chromium package).");
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--host-resolver-rules=MAP docs.mapshelf.test 127.0.0.1', '--disable-background-networking', '--disable-component-update'],
    });
    const tab = await browser.newPage();
    const failed: string[] = [];
    tab.on('requestfailed', (request) => failed.push(request.url()));
    const url = `http://docs.mapshelf.test:${new URL(server.url).port}/services/api/v1/docs/`;
    await tab.goto(url);
    await tab.waitForSelector('.swagger-ui .info .title', { timeout: 20_000 });
    assert.match(await tab.textContent('.swagger-ui .info .title') ?? '', /Mapshelf Data API/);
    assert.equal(await tab.title(), 'Mapshelf API');
    assert.deepEqual(failed, [], 'every script and style loaded');
  });
});
