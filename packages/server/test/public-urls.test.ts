import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { adminToken, parseLinks,
  withoutSnapshot, startTestServer, type TestServer } from './helpers/server.js';

const execFileAsync = promisify(execFile);
const apiPath = '/services/api/v1/';

/** Creates `count` users and checks every absolute URL of create, list and redirect answers starts with `base`. */
async function checkUrls(server: TestServer, base: string, headers: Record<string, string> = {}, prefix = 'u'): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const res = await server.request('POST', 'users/', { body: { username: `${prefix}${i}` }, headers });
    assert.equal(res.status, 201, res.text);
    assert.ok(res.body.url.startsWith(`${base}users/`), `body url ${res.body.url}`);
    assert.equal(res.headers.get('location'), res.body.url, 'Location');
  }

  const page = await server.request('GET', 'users/?page_size=1&page=2', { headers });
  assert.equal(page.status, 200, page.text);
  assert.ok(page.body[0].url.startsWith(`${base}users/`), `list url ${page.body[0].url}`);
  const links = parseLinks(page.headers.get('link'));
  assert.deepEqual(Object.keys(links).sort(), ['page-last', 'page-next', 'page-previous']);
  assert.equal(withoutSnapshot(links['page-next']), `${base}users/?page_size=1&page=3`);
  assert.equal(withoutSnapshot(links['page-previous']), `${base}users/?page_size=1&page=1`);
  const total = Number(/\/(\d+)$/.exec(page.headers.get('x-resource-range') ?? '')?.[1]);
  assert.ok(total >= 4, `total ${total}`);
  assert.equal(withoutSnapshot(links['page-last']), `${base}users/?page_size=1&page=${total}`);

  const group = await server.request('POST', 'groups/', { body: { name: `${prefix}-group` }, headers });
  assert.equal(group.status, 201, group.text);
  assert.equal(group.headers.get('location'), group.body.url);
  assert.ok(group.body.url.startsWith(`${base}groups/`), `group url ${group.body.url}`);

  const token = await server.request('GET', 'tokens/?page_size=1', { headers: { ...headers, expand: 'list' } });
  assert.equal(token.status, 200, token.text);
  assert.ok(token.body[0].url.startsWith(`${base}tokens/`), `token url ${token.body[0].url}`);
  assert.ok(token.body[0].user.url.startsWith(`${base}users/`), `token user url ${token.body[0].user.url}`);

  const redirect = await server.request('GET', 'users?page_size=2', { headers });
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('location'), `${base}users/?page_size=2`);

  const root = await server.request('GET', apiPath, { token: null, headers });
  assert.equal(root.body.resources.users, `${base}users/`);
}

describe('absolute URLs', () => {
  describe('with --public-url', () => {
    let server: TestServer;
    const base = 'https://data.example.org/mapshelf/services/api/v1/';
    before(async () => {
      server = await startTestServer({ publicUrl: 'https://data.example.org/mapshelf' });
    });
    after(() => server.close());

    it('builds url, Location and Link from the public URL', async () => {
      await checkUrls(server, base);
    });

    it('ignores X-Forwarded-* when a public URL is set', async () => {
      const res = await server.request('GET', 'users/?page_size=1', {
        headers: { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example.com' },
      });
      assert.ok(res.body[0].url.startsWith(base), res.body[0].url);
      assert.ok(parseLinks(res.headers.get('link'))['page-last']!.startsWith(base));
    });
  });

  describe('without --public-url', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.close());

    it('builds URLs from the request host', async () => {
      assert.match(server.api, /^http:\/\/127\.0\.0\.1:\d+\/services\/api\/v1\/$/);
      await checkUrls(server, server.api);
    });

    it('ignores X-Forwarded-Proto and X-Forwarded-Host from an untrusted peer', async () => {
      await checkUrls(server, server.api, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'proxy.example.net' }, 'f');
    });
  });

  describe('behind a trusted proxy', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ trustProxy: '127.0.0.1' });
    });
    after(() => server.close());

    it('builds URLs from X-Forwarded-Proto and X-Forwarded-Host', async () => {
      await checkUrls(server, 'https://proxy.example.net/services/api/v1/', {
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'proxy.example.net',
      });
    });

    it('uses the request host when the proxy sends no X-Forwarded headers', async () => {
      const res = await server.request('GET', 'users/?page_size=1');
      assert.ok(res.body[0].url.startsWith(server.api), res.body[0].url);
      assert.ok(parseLinks(res.headers.get('link'))['page-last']!.startsWith(server.api));
    });
  });
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

/** One request with node:http or node:https (global fetch cannot be given a CA). */
function requestOver(
  client: typeof httpsRequest | typeof httpRequest,
  url: string,
  options: { method?: string; headers?: Record<string, string>; ca?: string; json?: unknown },
): Promise<RawResponse> {
  const payload = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers = { ...options.headers, ...(payload !== undefined && { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }) };
  return new Promise((resolve, reject) => {
    const req = client(url, { method: options.method ?? 'GET', headers, ca: options.ca, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const body = (res.headers['content-type'] ?? '').includes('json') && text ? JSON.parse(text) : undefined;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

describe('HTTPS served directly (--tls-cert, --tls-key)', () => {
  let server: TestServer;
  let certDir: string;
  let certPath: string;
  let certPem: string;
  let origin: string;
  const headers = { authorization: `key ${adminToken}`, accept: 'application/json' };

  before(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'mapshelf-tls-'));
    certPath = join(certDir, 'cert.pem');
    const keyPath = join(certDir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    certPem = readFileSync(certPath, 'utf8');
    server = await startTestServer({ tlsCert: certPath, tlsKey: keyPath });
    origin = server.url;
    // A few users, so that lists have several pages.
    for (let i = 0; i < 5; i++) {
      const res = await requestOver(httpsRequest, `${origin}${apiPath}users/`, { method: 'POST', headers, ca: certPem, json: { username: `tls${i}` } });
      assert.equal(res.status, 201, res.text);
    }
  });
  after(async () => {
    await server?.close();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });

  it('listens on https', () => {
    assert.match(origin, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers the Data API over https with https URLs', async () => {
    const res = await requestOver(httpsRequest, `${origin}${apiPath}users/?page_size=1`, { headers, ca: certPem });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['x-resource-range'], '0-1/6');
    assert.ok(res.body[0].url.startsWith(`${origin}${apiPath}users/`), res.body[0].url);
    const links = parseLinks(String(res.headers.link ?? ''));
    assert.equal(withoutSnapshot(links['page-next']), `${origin}${apiPath}users/?page_size=1&page=2`);
    assert.equal(withoutSnapshot(links['page-last']), `${origin}${apiPath}users/?page_size=1&page=6`);

    const created = await requestOver(httpsRequest, `${origin}${apiPath}groups/`, { method: 'POST', headers, ca: certPem, json: { name: 'tls' } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.location, created.body.url);
    assert.ok(created.body.url.startsWith(`${origin}${apiPath}groups/`), created.body.url);
  });

  it('refuses a client that does not trust the certificate', async () => {
    await assert.rejects(requestOver(httpsRequest, `${origin}${apiPath}users/`, { headers }));
  });

  it('refuses an anonymous request over https with 401', async () => {
    const res = await requestOver(httpsRequest, `${origin}${apiPath}users/`, { headers: { accept: 'application/json' }, ca: certPem });
    assert.equal(res.status, 401, res.text);
    assert.equal(res.body.code, 'authentication_required');
  });

  it('does not answer plain http on the https port', async () => {
    const plain = origin.replace(/^https:/, 'http:');
    const outcome = await requestOver(httpRequest, `${plain}${apiPath}users/`, { headers }).catch((e: Error) => e);
    if (outcome instanceof Error) return; // connection reset or hang-up: fine
    assert.notEqual(outcome.status, 200, outcome.text);
  });

  it('works with the Koordinates Python client transport (requests over https)', async (t) => {
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import requests'], { stdio: 'ignore' });
    } catch {
      t.skip('/usr/bin/python3 has no requests module (apt-get install python3-requests)');
      return;
    }
    const first = await requestOver(httpsRequest, `${origin}${apiPath}users/?page_size=2`, { headers, ca: certPem });
    assert.equal(first.status, 200, first.text);
    const total = Number(/\/(\d+)$/.exec(String(first.headers['x-resource-range']))?.[1]);
    assert.ok(total >= 6, `total ${total}`);

    const script = join(certDir, 'client.py');
    writeFileSync(
      script,
      [
        'import sys, requests',
        'url, token, cert = sys.argv[1], sys.argv[2], sys.argv[3]',
        "headers = {'Authorization': 'key ' + token, 'Accept': 'application/json'}",
        'count = 0',
        'pages = 0',
        'while url:',
        '    response = requests.get(url, headers=headers, verify=cert)',
        '    response.raise_for_status()',
        "    assert response.url.startswith('https://'), response.url",
        '    count += len(response.json())',
        '    pages += 1',
        "    url = response.links.get('page-next', {}).get('url')",
        'print(count)',
        'print(pages, file=sys.stderr)',
      ].join('\n'),
    );
    // Asynchronously: the server runs in this process and must keep answering.
    const { stdout, stderr } = await execFileAsync(
      '/usr/bin/python3',
      [script, `${origin}${apiPath}users/?page_size=2`, adminToken, certPath],
      { timeout: 10_000 },
    );
    assert.equal(Number(stdout.trim()), total, `python counted ${stdout.trim()} (stderr: ${stderr})`);
    assert.equal(Number(stderr.trim()), Math.ceil(total / 2), 'followed every page-next link');
  });
});
