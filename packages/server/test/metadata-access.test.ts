/**
 * The Metadata API's authorization matrix, over every route it registers (the server's route
 * table, so a new route joins it by being registered): anonymous callers, the Data API's `key`
 * tokens and unknown tokens are refused on every route that is not public; a group
 * application's read-only token is refused every write; a user who is no admin, every route
 * that needs the `admin` scope. Every refusal is a JSON object.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createApplicationOffline, setPasswordOffline } from '../src/index.js';
import { accessToken } from './helpers/metadata.js';
import { adminToken, createUserWithToken, startTestServer, type ApiResponse, type TestServer } from './helpers/server.js';

const writes = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

describe('Metadata API: the authorization matrix', () => {
  let server: TestServer;
  let groupToken: string;
  let readerToken: string;

  before(async () => {
    server = await startTestServer();
    const group = await createApplicationOffline(server.running.store, { name: 'Matrix viewer', type: 'group' });
    const users = await createApplicationOffline(server.running.store, { name: 'Matrix scripts', type: 'user' });
    await createUserWithToken(server, 'reader', 'users:read');
    await setPasswordOffline(server.running.store, 'reader', 'reader password here');
    groupToken = await accessToken(server, group);
    readerToken = await accessToken(server, users, { username: 'reader', password: 'reader password here' });
  });
  after(() => server.close());

  /** Every route of the face, with its path parameters filled with ids nobody has. */
  function routes() {
    const table = server.running.app.routeTable.filter((r) => r.url.startsWith('/metadata/v1/') && r.method !== 'HEAD');
    return table.map((r) => ({ ...r, path: r.url.replace(/:[A-Za-z]+/g, () => randomBytes(16).toString('hex')) }));
  }

  const call = (method: string, path: string, authorization: string | null) =>
    server.request(method, path, { token: null, ...(authorization !== null && { headers: { authorization } }), ...(method !== 'DELETE' && writes.has(method) && { body: {} }) });

  function assertRefused(res: ApiResponse, status: number, code: string, what: string): void {
    assert.equal(res.status, status, `${what}: ${res.status} ${res.text}`);
    assert.equal(typeof res.body, 'object', what);
    assert.equal(Array.isArray(res.body), false, `${what}: the SDK crashes on a list`);
    assert.equal(res.body.code, code, what);
    assert.equal(typeof res.body.error, 'string', what);
  }

  it('refuses anonymous callers, key tokens and unknown Bearer tokens on every route but the public ones', async () => {
    const all = routes();
    assert.ok(all.length >= 10, `only ${all.length} routes`);
    for (const route of all) {
      const what = `${route.method} ${route.url}`;
      if (route.auth === 'public') {
        assert.notEqual((await call(route.method, route.path, null)).status, 401, what);
        continue;
      }
      assertRefused(await call(route.method, route.path, null), 401, 'authentication_required', `${what}, anonymous`);
      assertRefused(await call(route.method, route.path, `key ${adminToken}`), 401, 'invalid_authorization_header', `${what}, a key token`);
      assertRefused(await call(route.method, route.path, 'Bearer no-such-token'), 401, 'invalid_token', `${what}, an unknown token`);
    }
  });

  it("refuses a group application's token every write, and a user who is no admin every admin route", async () => {
    let checked = 0;
    for (const route of routes().filter((r) => r.auth !== 'public')) {
      const what = `${route.method} ${route.url}`;
      const scopes = [route.scope ?? []].flat();
      if (writes.has(route.method)) {
        const res = await call(route.method, route.path, `Bearer ${groupToken}`);
        assert.equal(res.status, 403, `${what}, a group application: ${res.text}`);
        checked++;
      }
      if (scopes.length > 0 && scopes.every((s) => s === 'admin')) {
        assertRefused(await call(route.method, route.path, `Bearer ${readerToken}`), 403, 'invalid_token_scope', `${what}, a reader`);
        checked++;
      }
    }
    assert.ok(checked >= 6, `only ${checked} cells`);
  });
  it("serves its own OpenAPI document: its routes only, each with the OAuth2 scope it needs; the Data API's has none of them", async () => {
    const doc = await server.request('GET', '/metadata/v1/openapi.json', { token: null });
    assert.equal(doc.status, 200, doc.text);
    assert.equal(doc.body.info.title, 'Mapshelf Metadata API');
    assert.equal(doc.body.components.securitySchemes.oauth2.flows.password.tokenUrl, '/oauth/token');
    const paths = Object.keys(doc.body.paths as object);
    assert.ok(paths.length >= 40, `${paths.length} paths`);
    assert.ok(paths.every((path) => path.startsWith('/metadata/v1/')), paths.join(' '));
    for (const path of ['/metadata/v1/resources/{id}/', '/metadata/v1/groups/{wg}/resources/', '/metadata/v1/resources/{md}/links/']) assert.ok(paths.includes(path), path);
    const table = server.running.app.routeTable.filter((r) => r.url.startsWith('/metadata/v1/') && r.method !== 'HEAD' && !r.url.endsWith('openapi.json/'));
    for (const route of table) {
      const operation = doc.body.paths[route.url.replace(/:([A-Za-z]+)/g, '{$1}')]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${route.url} is documented`);
      const want = route.auth === 'public' ? [] : [{ oauth2: [route.scope ?? 'resources:read'].flat() }];
      assert.deepEqual(operation.security, want, `${route.method} ${route.url}`);
    }
    const data = await server.request('GET', '/services/api/v1/openapi.json', { token: null });
    assert.equal(data.body.info.title, 'Mapshelf Data API');
    assert.ok(!Object.keys(data.body.paths as object).some((path) => path.startsWith('/metadata/') || path.startsWith('/oauth/')));
  });
});
