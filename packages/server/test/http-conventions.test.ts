import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminToken, createUserWithToken, startTestServer, type ApiResponse, type TestServer } from './helpers/server.js';

/** Every error is JSON with `detail`, `code` and `request_id` (the same as the X-Request-Id header). */
function assertError(res: ApiResponse, status: number, code: string, message = ''): void {
  const where = `${message} ${res.status} ${res.text}`.trim();
  assert.equal(res.status, status, where);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, where);
  assert.equal(typeof res.body?.detail, 'string', where);
  assert.ok(res.body.detail.length > 0, where);
  assert.equal(res.body.code, code, where);
  assert.equal(typeof res.body.request_id, 'string', where);
  assert.equal(res.body.request_id, res.headers.get('x-request-id'), where);
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('HTTP conventions', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  describe('request bodies', () => {
    it('refuses malformed JSON with 400 invalid_json', async () => {
      for (const raw of ['{"username": ', '{username: "x"}', 'not json', '[1, 2,]']) {
        const res = await server.request('POST', 'users/', { raw, headers: { 'content-type': 'application/json' } });
        assertError(res, 400, 'invalid_json', raw);
        assert.equal(res.body.errors?.[0]?.location, 'body', raw);
      }
    });

    it('refuses JSON of the wrong types with 400 invalid_body naming each field', async () => {
      const res = await server.request('POST', 'users/', { body: { username: 42, is_admin: 'yes' } });
      assertError(res, 400, 'invalid_body');
      assert.ok(Array.isArray(res.body.errors));
      const locations = res.body.errors.map((e: { location: string }) => e.location);
      assert.ok(locations.includes('body.username'), locations.join());
      assert.ok(locations.includes('body.is_admin'), locations.join());
      for (const e of res.body.errors) assert.equal(typeof e.message, 'string');

      for (const raw of ['"a string"', '[]', '42', 'null']) {
        const other = await server.request('POST', 'users/', { raw, headers: { 'content-type': 'application/json' } });
        assertError(other, 400, 'invalid_body', raw);
      }
    });

    it('refuses unknown fields, naming body.<field>', async () => {
      const res = await server.request('POST', 'users/', { body: { username: 'unknown-field', colour: 'red' } });
      assertError(res, 400, 'invalid_body');
      assert.deepEqual(res.body.errors, [{ location: 'body.colour', message: 'is not a known field' }]);
      assert.match(res.body.detail, /body\.colour/);
    });

    it('refuses a missing required field with body.username: is required', async () => {
      const res = await server.request('POST', 'users/', { body: { first_name: 'Ann' } });
      assertError(res, 400, 'invalid_body');
      assert.deepEqual(res.body.errors, [{ location: 'body.username', message: 'is required' }]);
      assert.match(res.body.detail, /body\.username: is required/);
    });

    it('refuses a body that is not JSON with 415 unsupported_media_type', async () => {
      const outcomes: Record<string, string> = {};
      for (const contentType of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'application/xml']) {
        const raw = contentType.startsWith('text/plain') ? '{"username": "plain"}' : 'username=plain';
        const res = await server.request('POST', 'users/', { raw, headers: { 'content-type': contentType } });
        outcomes[contentType] = `${res.status} ${res.body?.code}`;
        if (res.status === 415) assertError(res, 415, 'unsupported_media_type', contentType);
      }
      assert.deepEqual(outcomes, {
        'text/plain': '415 unsupported_media_type',
        'text/plain; charset=utf-8': '415 unsupported_media_type',
        'application/x-www-form-urlencoded': '415 unsupported_media_type',
        'application/xml': '415 unsupported_media_type',
      });
      const check = await server.request('GET', 'users/?username=plain');
      assert.equal(check.body.length, 0, 'no user was created from a non-JSON body');
    });

    it('accepts JSON with a charset parameter or a +json type', async () => {
      const outcomes: Record<string, number> = {};
      for (const [i, contentType] of ['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'application/vnd.api+json'].entries()) {
        const res = await server.request('POST', 'users/', { raw: JSON.stringify({ username: `charset${i}` }), headers: { 'content-type': contentType } });
        outcomes[contentType] = res.status;
      }
      assert.deepEqual(outcomes, {
        'application/json; charset=utf-8': 201,
        'application/json;charset=UTF-8': 201,
        'application/vnd.api+json': 201,
      });
    });

    it('accepts an empty body with Content-Type: application/json on DELETE', async () => {
      const created = await server.request('POST', 'tokens/', { body: { name: 'to-revoke', scope: 'users:read' } });
      assert.equal(created.status, 201, created.text);
      const res = await server.request('DELETE', `tokens/${created.body.id}/`, {
        raw: '',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(res.status, 204, res.text);
      const gone = await server.request('GET', `tokens/${created.body.id}/`);
      assertError(gone, 404, 'not_found');
      const revoked = await server.request('GET', 'users/', { token: created.body.key });
      assertError(revoked, 401, 'invalid_token');
    });
  });

  describe('oversized bodies', () => {
    let small: TestServer;
    before(async () => {
      small = await startTestServer({ bodyLimit: '2kb' });
    });
    after(() => small.close());

    it('refuses a body over --body-limit with 413 body_too_large', async () => {
      const body = { username: 'big', first_name: 'x'.repeat(10 * 1024) };
      const res = await small.request('POST', 'users/', { body });
      assertError(res, 413, 'body_too_large');
      const fine = await small.request('POST', 'users/', { body: { username: 'small' } });
      assert.equal(fine.status, 201, 'a body under the limit still works');
    });
  });

  describe('methods and routes', () => {
    it('answers 405 method_not_allowed with Allow on a known path', async () => {
      const users = await server.request('PATCH', 'users/', { body: {} });
      assertError(users, 405, 'method_not_allowed');
      const allowUsers = (users.headers.get('allow') ?? '').split(/,\s*/);
      for (const m of ['GET', 'POST', 'OPTIONS']) assert.ok(allowUsers.includes(m), `users/ Allow: ${allowUsers.join()}`);
      assert.ok(!allowUsers.includes('PATCH'));
      assert.ok(!allowUsers.includes('DELETE'));

      const tokens = await server.request('DELETE', 'tokens/');
      assertError(tokens, 405, 'method_not_allowed');
      const allowTokens = (tokens.headers.get('allow') ?? '').split(/,\s*/);
      for (const m of ['GET', 'POST']) assert.ok(allowTokens.includes(m), `tokens/ Allow: ${allowTokens.join()}`);
      assert.ok(!allowTokens.includes('DELETE'));

      const one = await server.request('POST', 'tokens/1/', { body: {} });
      assertError(one, 405, 'method_not_allowed');
      const allowOne = (one.headers.get('allow') ?? '').split(/,\s*/);
      for (const m of ['GET', 'DELETE']) assert.ok(allowOne.includes(m), `tokens/1/ Allow: ${allowOne.join()}`);

      const anonymous = await server.request('PUT', 'users/', { token: null, body: {} });
      assert.equal(anonymous.status, 405, 'the method is wrong whoever asks');
    });

    it('answers unknown routes with 404 not_found', async () => {
      for (const path of ['nothing-here/', 'users/1/nothing/', '/nothing', '/services/api/v2/users/']) {
        const res = await server.request('GET', path);
        assertError(res, 404, 'not_found', path);
      }
      const anonymous = await server.request('GET', 'nothing-here/', { token: null });
      assertError(anonymous, 404, 'not_found');
    });
  });

  describe('authentication and scopes', () => {
    it('refuses malformed Authorization headers with 401 invalid_authorization_header', async () => {
      for (const header of ['Bearer x', 'key', 'key a b', 'Basic dXNlcjpwYXNz', `${adminToken}`]) {
        const res = await server.request('GET', 'users/', { token: null, headers: { authorization: header } });
        assertError(res, 401, 'invalid_authorization_header', header);
        assert.equal(res.body.errors?.[0]?.location, 'header.authorization', header);
      }
    });

    it('refuses an unknown token with 401 invalid_token', async () => {
      const res = await server.request('GET', 'users/', { token: 'no-such-token' });
      assertError(res, 401, 'invalid_token');
    });

    it('refuses a missing header on a protected route with 401 authentication_required and WWW-Authenticate', async () => {
      const res = await server.request('GET', 'users/', { token: null });
      assertError(res, 401, 'authentication_required');
      assert.match(res.headers.get('www-authenticate') ?? '', /^key\b/i);
    });

    it('answers 403 invalid_token_scope naming the missing scope, and 200 with it', async () => {
      const reader = await createUserWithToken(server, 'layer-reader', 'layers:read');
      const res = await server.request('GET', 'exports/', { token: reader.token });
      assertError(res, 403, 'invalid_token_scope');
      assert.equal(res.headers.get('accepted-oauth-scopes'), 'exports:read');
      assert.deepEqual(res.body.required_scopes, ['exports:read']);
      assert.equal(res.headers.get('oauth-scopes'), 'layers:read');
      assert.match(res.body.detail, /exports:read/);

      const exporter = await createUserWithToken(server, 'exporter', 'exports:read');
      const ok = await server.request('GET', 'exports/', { token: exporter.token });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.body, []);
      assert.equal(ok.headers.get('x-resource-range'), '0-0/0');
      assert.equal(ok.headers.get('oauth-scopes'), 'exports:read');
    });

    it('refuses an anonymous caller with 401 on every route of the OpenAPI document that needs a token', async () => {
      const doc = await server.request('GET', '/services/api/v1/openapi.json', { token: null });
      assert.equal(doc.status, 200, doc.text);
      assert.match(doc.body.openapi, /^3\./);
      const skip = new Set(['/health', '/services/api/v1/', '/services/api/v1/openapi.json']);
      const methods = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'];
      let checked = 0;
      for (const [path, item] of Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)) {
        if (skip.has(path) || path.startsWith('/services/api/v1/docs')) continue;
        const concrete = path.replace(/\{[^}]+\}/g, '1');
        for (const method of methods.filter((m) => m in item)) {
          const upper = method.toUpperCase();
          const withBody = ['POST', 'PUT', 'PATCH'].includes(upper);
          const res = await server.request(upper, concrete, { token: null, ...(withBody && { body: {} }) });
          const label = `${upper} ${concrete}`;
          // Routes documented with an empty security requirement take anonymous callers on purpose.
          const security = (item[method] as { security?: object[] }).security;
          if (security?.some((s) => Object.keys(s).length === 0)) {
            assert.notEqual(res.status, 401, `${label} is documented as open to anonymous callers`);
            continue;
          }
          assert.equal(res.status, 401, `${label}: ${res.status} ${res.text}`);
          if (upper !== 'HEAD') assertError(res, 401, 'authentication_required', label);
          checked++;
        }
      }
      assert.ok(checked >= 15, `only ${checked} routes were documented`);
    });
  });

  describe('request ids', () => {
    it('puts an X-Request-Id on every response', async () => {
      const seen = new Set<string>();
      for (const [method, path, token] of [
        ['GET', 'users/', adminToken],
        ['GET', 'users/', null],
        ['GET', '/health', null],
        ['GET', 'nothing/', null],
        ['HEAD', 'users/', adminToken],
        ['OPTIONS', 'users/', adminToken],
      ] as const) {
        const res = await server.request(method, path, { token });
        const id = res.headers.get('x-request-id');
        assert.ok(id, `${method} ${path} has no X-Request-Id`);
        assert.match(id, uuid, `${method} ${path}`);
        seen.add(id);
      }
      assert.equal(seen.size, 6, 'ids are unique');
    });

    it('echoes a plain client X-Request-Id, in the header and in error bodies', async () => {
      const ok = await server.request('GET', 'users/', { headers: { 'x-request-id': 'abc-123' } });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('x-request-id'), 'abc-123');

      const refused = await server.request('GET', 'users/', { token: null, headers: { 'x-request-id': 'abc-123' } });
      assertError(refused, 401, 'authentication_required');
      assert.equal(refused.body.request_id, 'abc-123');

      const bad = await server.request('POST', 'users/', { body: { colour: 1 }, headers: { 'x-request-id': 'trace.42:7_x' } });
      assertError(bad, 400, 'invalid_body');
      assert.equal(bad.body.request_id, 'trace.42:7_x');
    });

    it('replaces a hostile or overlong X-Request-Id with a generated one', async () => {
      for (const given of ['x'.repeat(129), '<script>alert(1)</script>', 'a b', 'id"quoted', 'a\tb']) {
        const res = await server.request('GET', 'nothing/', { headers: { 'x-request-id': given } });
        assertError(res, 404, 'not_found', JSON.stringify(given));
        const id = res.headers.get('x-request-id')!;
        assert.notEqual(id, given);
        assert.match(id, uuid, JSON.stringify(given));
      }
      const longest = 'y'.repeat(128);
      const kept = await server.request('GET', 'users/', { headers: { 'x-request-id': longest } });
      assert.equal(kept.headers.get('x-request-id'), longest, '128 characters is still fine');
    });
  });

  describe('public routes', () => {
    it('GET /health answers 200 with the version, the database state and GDAL', async () => {
      const res = await server.request('GET', '/health', { token: null });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'ok');
      assert.equal(typeof res.body.version, 'string');
      assert.ok(res.body.version.length > 0);
      assert.equal(res.body.database.status, 'ok');
      assert.equal(typeof res.body.gdal.version, 'string');
      assert.match(res.body.gdal.version, /^\d+\.\d+/);
    });

    it('GET /services/api/v1/ without a token lists the resources by URL', async () => {
      const res = await server.request('GET', '/services/api/v1/', { token: null });
      assert.equal(res.status, 200, res.text);
      for (const name of ['users', 'groups', 'tokens', 'exports']) {
        assert.equal(res.body.resources[name], `${server.api}${name}/`, name);
      }
      assert.equal(res.body.openapi, `${server.api}openapi.json`);
      assert.equal(typeof res.body.docs, 'string');
      assert.ok(res.body.docs.startsWith(server.api));
      assert.equal(res.headers.get('oauth-scopes'), null, 'no OAuth-Scopes on an anonymous response');
    });

    it('serves the docs page without a token', async () => {
      const res = await server.request('GET', '/services/api/v1/docs/', { token: null, headers: { accept: 'text/html' } });
      assert.equal(res.status, 200, res.text.slice(0, 300));
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(res.text, /<html/i);
    });

    it('OAuth-Scopes on authenticated responses lists the token scopes', async () => {
      const user = await createUserWithToken(server, 'scoped', 'users:read tokens:read');
      const res = await server.request('GET', 'users/', { token: user.token });
      assert.equal(res.status, 200);
      assert.deepEqual((res.headers.get('oauth-scopes') ?? '').split(' ').sort(), ['tokens:read', 'users:read']);
    });
  });

  describe('create', () => {
    it('answers 201 with a Location equal to the body url, which GETs the same object', async () => {
      const res = await server.request('POST', 'groups/', { body: { name: 'Surveyors' } });
      assert.equal(res.status, 201, res.text);
      const location = res.headers.get('location');
      assert.ok(location);
      assert.equal(location, res.body.url);
      assert.ok(location.startsWith(`${server.api}groups/`), location);
      const fetched = await server.request('GET', location);
      assert.equal(fetched.status, 200);
      assert.equal(fetched.body.id, res.body.id);
      assert.equal(fetched.body.name, 'Surveyors');

      const user = await server.request('POST', 'users/', { body: { username: 'located' } });
      assert.equal(user.status, 201, user.text);
      assert.equal(user.headers.get('location'), user.body.url);
    });
  });
});
