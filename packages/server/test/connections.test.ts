/**
 * Slow, stalled and greedy clients, over real sockets: the headers, idle and whole-request
 * timeouts, bodies refused on routes that take none, and the cap on connections per address.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveConfig } from '../src/index.js';
import { adminToken, startTestServer, type TestServer } from './helpers/server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Raw {
  socket: Socket;
  /** Everything the server sent so far. */
  received: () => string;
  /** Resolves when the server closes the connection, with the milliseconds since connecting. */
  closed: Promise<number>;
}

/** Opens a plain TCP connection to the server and writes `head` (and `body`, if given). */
async function raw(server: TestServer, head: string, body: string | Buffer = ''): Promise<Raw> {
  const { hostname, port } = new URL(server.url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const start = Date.now();
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - start)));
  socket.write(head);
  if (body.length) socket.write(body);
  return { socket, received: () => received, closed };
}

const head = (method: string, path: string, headers: Record<string, string | number>) =>
  `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;

const scratchUploads = (server: TestServer) => {
  try {
    return readdirSync(join(server.dataDir, 'tmp')).filter((name) => name.startsWith('upload-'));
  } catch {
    return [];
  }
};

async function stillServing(server: TestServer): Promise<void> {
  const health = await server.request('GET', '/health', { token: null });
  assert.equal(health.status, 200);
  assert.equal((await server.request('GET', 'users/')).status, 200);
}

const boundary = 'mapshelf-test-boundary';
/** A document upload: its JSON part and one small text file. */
function documentUpload(title: string): Buffer {
  return Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="document"\r\n\r\n${JSON.stringify({ title })}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file0"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\n` +
      `${'slow but steady\n'.repeat(8)}\r\n--${boundary}--\r\n`,
  );
}

describe('timeouts', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ headersTimeout: 1, idleTimeout: 1, requestTimeout: 2 });
  });
  after(() => server?.close());

  it('drops a stalled upload after the idle timeout and removes its scratch folder', async () => {
    const start =
      `--${boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\n{"title": "stalled"}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file0"; filename="points.csv"\r\nContent-Type: text/csv\r\n\r\nx,y\n1,2\n`;
    const stalled = await Promise.all(
      [1, 2, 3].map(() =>
        raw(
          server,
          head('POST', '/services/api/v1/sources/', {
            authorization: `key ${adminToken}`,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': 100_000,
          }),
          start,
        ),
      ),
    );
    await sleep(300);
    assert.equal(scratchUploads(server).length, 3, 'each upload has its scratch folder while it arrives');
    for (const connection of stalled) {
      const after = await connection.closed;
      assert.ok(after >= 900 && after < 4000, `closed after ${after} ms`);
    }
    for (let i = 0; i < 20 && scratchUploads(server).length > 0; i++) await sleep(100);
    assert.deepEqual(scratchUploads(server), []);
    await stillServing(server);
  });

  it('drops a JSON body that stops arriving after the idle timeout', async () => {
    const stalled = await raw(
      server,
      head('POST', '/services/api/v1/users/', { authorization: `key ${adminToken}`, 'content-type': 'application/json', 'content-length': 1000 }),
      '{',
    );
    const after = await stalled.closed;
    assert.ok(after >= 900 && after < 4000, `closed after ${after} ms`);
    await stillServing(server);
  });

  it('answers 408 to headers that do not arrive in time', async () => {
    // Its own server, where the headers limit comes before the idle one (as 30 s and 60 s do).
    const own = await startTestServer({ headersTimeout: 1, idleTimeout: 5 });
    try {
      const slow = await raw(own, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const after = await slow.closed;
      assert.ok(after >= 900 && after < 3000, `closed after ${after} ms`);
      assert.match(slow.received(), /^HTTP\/1\.1 408 /);
      await stillServing(own);
    } finally {
      await own.close();
    }
  });

  it('answers 408 to a body trickling in for longer than the request timeout, but lets an upload take its time', async () => {
    const trickle = await raw(
      server,
      head('POST', '/services/api/v1/users/', { authorization: `key ${adminToken}`, 'content-type': 'application/json', 'content-length': 1000 }),
    );
    const dripping = setInterval(() => trickle.socket.writable && trickle.socket.write(' '), 250);
    try {
      const after = await trickle.closed;
      assert.ok(after >= 1900 && after < 5000, `closed after ${after} ms`);
      assert.match(trickle.received(), /^HTTP\/1\.1 408 /);
      const answer = JSON.parse(trickle.received().split('\r\n\r\n')[1]!);
      assert.equal(answer.code, 'request_timeout');
      assert.match(answer.detail, /--request-timeout/);
    } finally {
      clearInterval(dripping);
    }

    // An upload sent slowly over 3 s (longer than the 2 s request timeout, never idle for 1 s) arrives.
    const body = documentUpload('Slow notes');
    const upload = await raw(
      server,
      head('POST', '/services/api/v1/documents/', {
        authorization: `key ${adminToken}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': body.length,
        connection: 'close',
      }),
    );
    const steps = 12;
    for (let i = 0; i < steps; i++) {
      upload.socket.write(body.subarray(Math.floor((i * body.length) / steps), Math.floor(((i + 1) * body.length) / steps)));
      await sleep(250);
    }
    await upload.closed;
    assert.match(upload.received(), /^HTTP\/1\.1 201 /, upload.received());
    await stillServing(server);
  });

  it('leaves a finished request alone however long its answer takes to read', async () => {
    // Keep-alive requests on one connection, spread over more than the request timeout.
    for (let i = 0; i < 3; i++) {
      assert.equal((await server.request('GET', 'users/')).status, 200);
      await sleep(800);
    }
  });
});

describe('bodies on routes that take none', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('refuses a body on GET, HEAD and DELETE at once, before authentication, without reading it', async () => {
    for (const [method, headers] of [
      ['GET', { 'content-length': 100_000 }],
      ['DELETE', { 'transfer-encoding': 'chunked' }],
      ['GET', { authorization: `key ${adminToken}`, 'content-length': 5 }],
    ] as const) {
      const connection = await raw(server, head(method, '/services/api/v1/users/1/', headers));
      for (let i = 0; i < 20 && !connection.received().includes('\r\n\r\n'); i++) await sleep(50);
      assert.match(connection.received(), /^HTTP\/1\.1 400 /, `${method} ${JSON.stringify(headers)}`);
      assert.match(connection.received(), /"code":"bad_request"/);
      assert.match(connection.received(), /takes no request body/);
      if (!('content-length' in headers && headers['content-length'] === 5)) {
        // A large or chunked body is not read just to be dropped: the connection closes.
        assert.match(connection.received(), /connection: close/i);
        assert.ok((await connection.closed) < 2000);
      }
      connection.socket.destroy();
    }
    const empty = await server.request('GET', 'users/', { headers: { 'content-length': '0' } });
    assert.equal(empty.status, 200, 'an empty body is no body');
    const deleteWithType = await server.request('DELETE', 'users/999/', { headers: { 'content-type': 'application/json' } });
    assert.equal(deleteWithType.status, 404, 'a content type without a body is fine');
  });

  it('refuses an anonymous upload at once and closes rather than reading its body', async () => {
    const connection = await raw(
      server,
      head('POST', '/services/api/v1/sources/', { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': 100_000_000 }),
      'x',
    );
    const after = await connection.closed;
    assert.ok(after < 2000, `closed after ${after} ms`);
    assert.match(connection.received(), /^HTTP\/1\.1 401 /);
    assert.match(connection.received(), /connection: close/i);
    assert.deepEqual(scratchUploads(server), []);
    await stillServing(server);
  });
});

describe('connections per client', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ maxConnectionsPerClient: 3 });
  });
  after(() => server?.close());

  it('closes a client address\'s connections past the cap, and takes new ones once it has fewer', async () => {
    // fetch's idle keep-alive connections count too: let them go first.
    await sleep(100);
    const held = await Promise.all([1, 2, 3].map(() => raw(server, '')));
    const refused = await raw(server, head('GET', '/health', {}));
    assert.ok((await refused.closed) < 1000);
    assert.equal(refused.received(), '', 'dropped without an answer');
    for (const connection of held) assert.equal(connection.socket.destroyed, false, 'the first three stay open');

    held[0]!.socket.destroy();
    await held[0]!.closed;
    await sleep(100);
    const next = await raw(server, head('GET', '/health', { connection: 'close' }));
    await next.closed;
    assert.match(next.received(), /^HTTP\/1\.1 200 /);
    for (const connection of held) connection.socket.destroy();
  });

  it('defaults to 64, and to off behind a trusted proxy (which it would count as one client)', () => {
    assert.equal(resolveConfig({}, {}).maxConnectionsPerClient, 64);
    assert.equal(resolveConfig({ trustProxy: '127.0.0.1' }, {}).maxConnectionsPerClient, 0);
    assert.equal(resolveConfig({ trustProxy: '127.0.0.1', maxConnectionsPerClient: 500 }, {}).maxConnectionsPerClient, 500);
    assert.equal(resolveConfig({}, { MAPSHELF_MAX_CONNECTIONS_PER_CLIENT: '0' }).maxConnectionsPerClient, 0);
    assert.throws(() => resolveConfig({ maxConnectionsPerClient: -1 }, {}), /--max-connections-per-client must be a whole number/);
  });

  it('reads the timeouts as durations, with their defaults', () => {
    const defaults = resolveConfig({}, {});
    assert.deepEqual([defaults.headersTimeout, defaults.idleTimeout, defaults.requestTimeout], [30, 60, 300]);
    const given = resolveConfig({ headersTimeout: '10s', requestTimeout: '0' }, { MAPSHELF_IDLE_TIMEOUT: '2m' });
    assert.deepEqual([given.headersTimeout, given.idleTimeout, given.requestTimeout], [10, 120, 0]);
    assert.throws(() => resolveConfig({ headersTimeout: 0 }, {}), /--headers-timeout must be at least 1 second/);
    assert.throws(() => resolveConfig({ idleTimeout: 'soon' }, {}), /--idle-timeout must be a duration/);
  });
});
