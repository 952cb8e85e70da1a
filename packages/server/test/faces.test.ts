/**
 * The faces as encapsulated plugins: the Data API's auth scheme, error body and conventions hold
 * under its prefix only; /health, the site root and paths outside every face answer in the
 * site's own plain shape, whatever Authorization header comes along.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { adminToken, startTestServer, type TestServer } from './helpers/server.js';

/** A GET with a body, which fetch refuses to send; answers the status and the parsed body. */
function getWithBody(server: TestServer, path: string, body: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { method: 'GET', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('faces', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  describe('the Data API', () => {
    it('answers a Bearer token with a 401 that says to send Authorization: key <token>', async () => {
      for (const header of [`Bearer ${adminToken}`, 'bearer abc.def.ghi', 'Bearer']) {
        const res = await server.request('GET', 'users/', { token: null, headers: { authorization: header } });
        assert.equal(res.status, 401, `${header}: ${res.text}`);
        assert.equal(res.body.code, 'invalid_authorization_header', header);
        assert.match(res.body.detail, /Bearer/, header);
        assert.match(res.body.detail, /'Authorization: key <token>'/, header);
        assert.deepEqual(res.body.errors, [{ location: 'header.authorization', message: "expected 'key <token>'" }], header);
        assert.equal(res.headers.get('www-authenticate'), 'key', header);
      }
      const same = await server.request('GET', 'users/', { headers: { authorization: `key ${adminToken}` } });
      assert.equal(same.status, 200, 'the same token as key is accepted');
    });

    it('keeps its redirects and its auth on unknown paths under its prefix', async () => {
      const redirect = await server.request('GET', 'users');
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.get('location'), `${server.api}users/`);
      const missing = await server.request('GET', 'nothing-here/', { token: null, headers: { authorization: 'Bearer abc' } });
      assert.equal(missing.status, 401, 'its auth runs on its unknown paths too');
    });
  });

  describe('the Metadata API', () => {
    it('answers unknown paths under its prefix in its own body, after its own auth', async () => {
      const anonymous = await server.request('GET', '/metadata/v1/records/', { token: null });
      assert.equal(anonymous.status, 404, anonymous.text);
      assert.deepEqual(Object.keys(anonymous.body).sort(), ['code', 'error', 'request_id']);
      assert.equal(anonymous.body.error, 'Nothing is at GET /metadata/v1/records/.');
      const key = await server.request('GET', '/metadata/v1/records/', { headers: { authorization: `key ${adminToken}` } });
      assert.equal(key.status, 401, 'its auth runs on its unknown paths too');
      assert.equal(key.body.code, 'invalid_authorization_header');
    });

    it('serves its root to anyone, naming the token endpoint', async () => {
      const res = await server.request('GET', '/metadata/v1', { token: null });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.token_url, `${server.url}/oauth/token`);
    });
  });

  describe('outside every face', () => {
    it('serves the site root, naming the faces and /health, to anyone', async () => {
      for (const authorization of [undefined, 'Bearer abc', 'key nope']) {
        const res = await server.request('GET', '/', { token: null, ...(authorization && { headers: { authorization } }) });
        assert.equal(res.status, 200, `${authorization}: ${res.text}`);
        assert.deepEqual(res.body.apis, { data: server.api, metadata: `${server.url}/metadata/v1/`, oauth: `${server.url}/oauth/token` });
        assert.equal(res.body.health, `${server.url}/health`);
        assert.equal(res.body.name, 'Mapshelf');
        assert.equal(typeof res.body.version, 'string');
      }
    });

    it("answers /health whatever the Authorization header, with no face's headers", async () => {
      for (const authorization of ['Bearer abc', 'key not-a-token', `key ${adminToken}`, 'Basic dXNlcjpwYXNz']) {
        const res = await server.request('GET', '/health', { token: null, headers: { authorization } });
        assert.equal(res.status, 200, `${authorization}: ${res.text}`);
        assert.equal(res.body.status, 'ok');
        assert.equal(res.headers.get('oauth-scopes'), null, authorization);
        assert.ok(res.headers.get('x-request-id'), 'request ids are the whole site\'s');
      }
    });

    it('answers unknown paths with a plain 404, without running any face\'s auth', async () => {
      for (const path of ['/nothing', '/services/api/v2/users/', '/services/api/v1x/', '/metadata/v2/records/', '/metadata/v1x/']) {
        const res = await server.request('GET', path, { token: null, headers: { authorization: 'Bearer abc' } });
        assert.equal(res.status, 404, `${path}: ${res.text}`);
        assert.deepEqual(Object.keys(res.body).sort(), ['code', 'detail', 'request_id'], path);
        assert.equal(res.body.code, 'not_found', path);
        assert.equal(res.body.detail, `Nothing is at GET ${path}.`);
        assert.equal(res.body.request_id, res.headers.get('x-request-id'), path);
        assert.equal(res.headers.get('www-authenticate'), null, path);
      }
    });

    it('refuses errors outside every face in the same plain shape', async () => {
      const res = await getWithBody(server, '/health', '{"a": 1}');
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'bad_request');
      assert.deepEqual(res.body.errors, [{ location: 'body', message: 'not allowed on this route' }]);
      assert.deepEqual(Object.keys(res.body).sort(), ['code', 'detail', 'errors', 'request_id']);
    });
  });
});
