import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { queryCatalog } from './helpers/test-database.js';
import { adminToken, createUserWithToken, startTestServer, type TestServer } from './helpers/server.js';

interface UserRef {
  id: number;
  token: string;
  url: string;
}

interface TokenBody {
  id: number;
  url: string;
  name: string;
  key_hint: string;
  scope?: string;
  created_at?: string;
  expires_at?: string | null;
  last_used_at?: string | null;
  user?: { id: number; url: string };
  key?: string;
}

const manage = 'tokens:read tokens:write users:read';

describe('tokens', () => {
  let server: TestServer;
  let adminId: number;
  let alice: UserRef;
  let bob: UserRef;
  /** A token alice made for herself, through the API. */
  let created: TokenBody;

  before(async () => {
    server = await startTestServer();
    adminId = (await server.request('GET', 'users/me/')).body.id;
    alice = await createUserWithToken(server, 'alice', manage);
    bob = await createUserWithToken(server, 'bob', manage);
  });
  after(() => server.close());

  it('creates a token: 201 with Location, and the secret in `key` this once', async () => {
    const res = await server.request('POST', 'tokens/', { token: alice.token, body: { name: 'laptop', scope: 'users:read tokens:read' } });
    assert.equal(res.status, 201, res.text);
    created = res.body;
    assert.equal(created.url, `${server.api}tokens/${created.id}/`);
    assert.equal(res.headers.get('location'), created.url);
    assert.equal(created.name, 'laptop');
    assert.equal(created.scope, 'users:read tokens:read');
    assert.equal(created.expires_at, null);
    assert.deepEqual(created.user, { id: alice.id, url: alice.url });
    assert.equal(typeof created.key, 'string');
    assert.ok(created.key!.length >= 32, 'the secret is long');
    assert.ok(created.key_hint.endsWith('...'));
    assert.ok(created.key!.startsWith(created.key_hint.slice(0, -3)), 'the hint is the start of the key');
    assert.ok(created.key_hint.length < created.key!.length / 2, 'the hint gives little away');
  });

  it('never shows the secret again, in the detail or the list', async () => {
    const key = created.key!;
    const detail = await server.request('GET', created.url, { token: alice.token });
    assert.equal(detail.status, 200);
    assert.equal('key' in detail.body, false);
    assert.ok(!detail.text.includes(key));
    assert.equal(detail.body.key_hint, created.key_hint);
    assert.equal(detail.body.scope, 'users:read tokens:read');
    assert.equal(detail.body.expires_at, null);
    assert.deepEqual(detail.body.user, { id: alice.id, url: alice.url });
    assert.equal(detail.body.name, 'laptop');

    const variants: Array<Record<string, string>> = [{}, { expand: 'list' }];
    for (const headers of variants) {
      for (const token of [alice.token, adminToken]) {
        const list = await server.request('GET', 'tokens/', { token, headers });
        assert.equal(list.status, 200);
        assert.ok(!list.text.includes(key));
        const mine = (list.body as TokenBody[]).find((t) => t.id === created.id);
        assert.ok(mine, 'the token is listed');
        assert.equal('key' in mine, false);
        assert.equal(mine.key_hint, created.key_hint);
      }
    }
    const full = await server.request('GET', `tokens/?id=${created.id}`, { token: alice.token, headers: { expand: 'list' } });
    assert.equal(full.body[0].scope, 'users:read tokens:read');
    assert.equal(full.body[0].expires_at, null);
    assert.deepEqual(full.body[0].user, { id: alice.id, url: alice.url });
  });

  it('accepts the key, and answers OAuth-Scopes with the token scopes', async () => {
    const me = await server.request('GET', 'users/me/', { token: created.key! });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.id, alice.id);
    assert.equal(me.headers.get('oauth-scopes'), 'users:read tokens:read');
    const used = await server.request('GET', created.url, { token: alice.token });
    assert.equal(typeof used.body.last_used_at, 'string', 'using a token records when');

    const list = await server.request('GET', 'tokens/', { token: created.key! });
    assert.equal(list.headers.get('oauth-scopes'), 'users:read tokens:read');

    const lacking = await server.request('POST', 'tokens/', { token: created.key!, body: { name: 'x', scope: 'users:read' } });
    assert.equal(lacking.status, 403);
    assert.equal(lacking.body.code, 'invalid_token_scope');
    assert.equal(lacking.headers.get('accepted-oauth-scopes'), 'tokens:write');
    assert.equal(lacking.headers.get('oauth-scopes'), 'users:read tokens:read');

    const admin = await server.request('GET', 'users/me/');
    assert.deepEqual(admin.headers.get('oauth-scopes')!.split(' ').sort(), [
      'admin', 'catalog', 'documents:read', 'documents:write', 'exports:read', 'exports:write', 'layers:read', 'layers:write',
      'notifications:read', 'query', 'sets:read', 'sets:write', 'sources:read', 'sources:write', 'tiles', 'tokens:read',
      'tokens:write', 'users:read', 'users:write', 'wxs:wcs', 'wxs:wfs', 'wxs:wms',
    ]);
    const anonymous = await server.request('GET', 'users/', { token: null });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('oauth-scopes'), null);
  });

  it('does not store the secret in the database', async () => {
    {
      const rows = await queryCatalog(server, 'SELECT * FROM tokens');
      assert.ok(rows.some((r) => r.id === created.id), 'the token row exists');
      for (const secret of [created.key!, alice.token, bob.token, adminToken]) {
        for (const row of rows) {
          for (const [column, value] of Object.entries(row)) {
            if (value === null) continue;
            const text = String(value);
            assert.notEqual(text, secret, `tokens.${column} holds a secret`);
            if (secret.length >= 16) assert.ok(!text.includes(secret), `tokens.${column} contains a secret`);
          }
        }
      }
    }
  });

  it("lists only a non-admin's own tokens; a site admin sees all and can filter by user", async () => {
    const mine = await server.request('GET', 'tokens/', { token: alice.token, headers: { expand: 'list' } });
    assert.equal(mine.status, 200);
    const owners = new Set((mine.body as TokenBody[]).map((t) => t.user!.id));
    assert.deepEqual([...owners], [alice.id]);
    assert.equal(mine.body.length, 2, 'her first token and "laptop"');
    assert.equal(mine.headers.get('x-resource-range'), '0-2/2');

    const all = await server.request('GET', 'tokens/', { headers: { expand: 'list' } });
    const allOwners = new Set((all.body as TokenBody[]).map((t) => t.user!.id));
    assert.deepEqual([...allOwners].sort((a, b) => a - b), [adminId, alice.id, bob.id].sort((a, b) => a - b));

    const bobs = await server.request('GET', `tokens/?user=${bob.id}`, { headers: { expand: 'list' } });
    assert.equal(bobs.body.length, 1);
    assert.equal(bobs.body[0].user.id, bob.id);

    const peek = await server.request('GET', `tokens/?user=${bob.id}`, { token: alice.token });
    assert.deepEqual(peek.body, [], "a user filter does not reveal someone else's tokens");
  });

  it("answers 404 for someone else's token, to non-admins", async () => {
    const bobTokens = await server.request('GET', `tokens/`, { token: bob.token });
    const bobTokenId = (bobTokens.body as TokenBody[])[0]!.id;
    const get = await server.request('GET', `tokens/${bobTokenId}/`, { token: alice.token });
    assert.equal(get.status, 404);
    assert.equal(get.body.code, 'not_found');
    const del = await server.request('DELETE', `tokens/${bobTokenId}/`, { token: alice.token });
    assert.equal(del.status, 404);
    assert.equal((await server.request('GET', 'users/me/', { token: bob.token })).status, 200, "bob's token still works");
    const asAdmin = await server.request('GET', `tokens/${bobTokenId}/`);
    assert.equal(asAdmin.status, 200);
    assert.equal(asAdmin.body.user.id, bob.id);
    const missing = await server.request('GET', 'tokens/999999/', { token: alice.token });
    assert.equal(missing.status, 404);
  });

  it('revokes a token with DELETE: 204, and the key then fails with 401 invalid_token', async () => {
    const res = await server.request('POST', 'tokens/', { token: alice.token, body: { name: 'doomed', scope: 'users:read' } });
    assert.equal(res.status, 201);
    const key = res.body.key as string;
    assert.equal((await server.request('GET', 'users/me/', { token: key })).status, 200);

    const del = await server.request('DELETE', `tokens/${res.body.id}/`, { token: alice.token });
    assert.equal(del.status, 204, del.text);
    const after = await server.request('GET', 'users/me/', { token: key });
    assert.equal(after.status, 401);
    assert.equal(after.body.code, 'invalid_token');
    assert.equal((await server.request('GET', `tokens/${res.body.id}/`, { token: alice.token })).status, 404);
    assert.equal((await server.request('DELETE', `tokens/${res.body.id}/`, { token: alice.token })).status, 404);
  });

  it('lets a site admin revoke anyone\'s token', async () => {
    const made = await server.request('POST', 'tokens/', { token: bob.token, body: { name: 'bob-2', scope: 'users:read' } });
    assert.equal(made.status, 201);
    const del = await server.request('DELETE', `tokens/${made.body.id}/`);
    assert.equal(del.status, 204);
    assert.equal((await server.request('GET', 'users/me/', { token: made.body.key })).status, 401);
  });

  it('refuses to grant scopes the creating token does not hold', async () => {
    const narrow = await server.request('POST', 'tokens/', { token: alice.token, body: { name: 'narrow', scope: 'tokens:write tokens:read' } });
    assert.equal(narrow.status, 201, narrow.text);
    const key = narrow.body.key as string;
    const up = await server.request('POST', 'tokens/', { token: key, body: { name: 'wider', scope: 'layers:read' } });
    assert.equal(up.status, 403, up.text);
    assert.equal(up.body.code, 'forbidden');
    assert.match(up.body.detail, /layers:read/);
    const mixed = await server.request('POST', 'tokens/', { token: key, body: { name: 'wider', scope: 'tokens:read users:read' } });
    assert.equal(mixed.status, 403);
    const same = await server.request('POST', 'tokens/', { token: key, body: { name: 'same', scope: 'tokens:read' } });
    assert.equal(same.status, 201, 'a subset is fine');
    assert.equal(same.body.scope, 'tokens:read');
    const names = (await server.request('GET', 'tokens/', { token: alice.token })).body.map((t: TokenBody) => t.name);
    assert.ok(!names.includes('wider'));
  });

  it('gives the admin scope to admin users only', async () => {
    const forAlice = await server.request('POST', 'tokens/', { body: { name: 'alice-admin', scope: 'admin users:read', user: alice.id } });
    assert.equal(forAlice.status, 400, forAlice.text);
    assert.equal(forAlice.body.code, 'invalid_parameter');
    assert.equal(forAlice.body.errors[0].location, 'body.scope');

    const bySelf = await server.request('POST', 'tokens/', { token: alice.token, body: { name: 'alice-admin', scope: 'admin' } });
    assert.ok([400, 403].includes(bySelf.status), bySelf.text);

    const forAdmin = await server.request('POST', 'tokens/', { body: { name: 'admin-2', scope: 'admin users:read' } });
    assert.equal(forAdmin.status, 201, forAdmin.text);
    assert.equal(forAdmin.body.scope, 'admin users:read');
    assert.equal(forAdmin.body.user.id, adminId);
  });

  it('refuses unknown scope names, naming them, at body.scope', async () => {
    const res = await server.request('POST', 'tokens/', { token: alice.token, body: { name: 'x', scope: 'users:read flying:carpet' } });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.code, 'invalid_parameter');
    assert.equal(res.body.errors[0].location, 'body.scope');
    assert.match(res.body.detail, /flying:carpet/);
    assert.match(res.body.errors[0].message, /flying:carpet/);

    const blank = await server.request('POST', 'tokens/', { token: alice.token, body: { name: 'x', scope: '   ' } });
    assert.equal(blank.status, 400);
    assert.equal(blank.body.errors[0].location, 'body.scope');
    const missing = await server.request('POST', 'tokens/', { token: alice.token, body: { name: 'x' } });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.code, 'invalid_body');
    assert.equal(missing.body.errors[0].location, 'body.scope');
    const extra = await server.request('POST', 'tokens/', { token: alice.token, body: { name: 'x', scope: 'users:read', colour: 'red' } });
    assert.equal(extra.status, 400);
    assert.equal(extra.body.errors[0].location, 'body.colour');
  });

  it('refuses expiry dates in the past, and malformed ones', async () => {
    const past = await server.request('POST', 'tokens/', {
      token: alice.token,
      body: { name: 'x', scope: 'users:read', expires_at: new Date(Date.now() - 60_000).toISOString() },
    });
    assert.equal(past.status, 400, past.text);
    assert.equal(past.body.errors[0].location, 'body.expires_at');

    for (const expires_at of ['tomorrow', '2030-13-45T00:00:00Z', '', 12345]) {
      const res = await server.request('POST', 'tokens/', { token: alice.token, body: { name: 'x', scope: 'users:read', expires_at } });
      assert.equal(res.status, 400, `${JSON.stringify(expires_at)}: ${res.text}`);
      assert.ok(
        (res.body.errors as Array<{ location: string }>).some((e) => e.location === 'body.expires_at'),
        `${JSON.stringify(expires_at)}: ${res.text}`,
      );
    }

    const future = new Date(Date.now() + 86_400_000).toISOString();
    const ok = await server.request('POST', 'tokens/', { token: alice.token, body: { name: 'x', scope: 'users:read', expires_at: future } });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.body.expires_at, future);
  });

  it('accepts a token until its expiry, then answers 401 token_expired', async () => {
    const expires = Date.now() + 2000;
    const res = await server.request('POST', 'tokens/', {
      token: alice.token,
      body: { name: 'short', scope: 'users:read', expires_at: new Date(expires).toISOString() },
    });
    assert.equal(res.status, 201, res.text);
    const key = res.body.key as string;
    const before = await server.request('GET', 'users/me/', { token: key });
    assert.equal(before.status, 200, before.text);

    await sleep(Math.max(0, expires - Date.now()) + 200);
    const after = await server.request('GET', 'users/me/', { token: key });
    assert.equal(after.status, 401, after.text);
    assert.equal(after.body.code, 'token_expired');
  });

  it('lets a site admin create a token for another user, and no one else', async () => {
    const res = await server.request('POST', 'tokens/', { body: { name: 'for-bob', scope: 'users:read', user: bob.id } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.user.id, bob.id);
    const me = await server.request('GET', 'users/me/', { token: res.body.key });
    assert.equal(me.body.username, 'bob');

    const byAlice = await server.request('POST', 'tokens/', { token: alice.token, body: { name: 'for-bob', scope: 'users:read', user: bob.id } });
    assert.equal(byAlice.status, 403, byAlice.text);
    assert.equal(byAlice.body.code, 'forbidden');

    const forSelf = await server.request('POST', 'tokens/', { token: alice.token, body: { name: 'self', scope: 'users:read', user: alice.id } });
    assert.equal(forSelf.status, 201, 'naming yourself is fine');
    assert.equal(forSelf.body.user.id, alice.id);

    const nobody = await server.request('POST', 'tokens/', { body: { name: 'ghost', scope: 'users:read', user: 999999 } });
    assert.equal(nobody.status, 400);
    assert.equal(nobody.body.errors[0].location, 'body.user');

    // An admin user whose token lacks the admin scope is not a site admin.
    const root2 = await createUserWithToken(server, 'root2', manage, { is_admin: true });
    const byRoot2 = await server.request('POST', 'tokens/', { token: root2.token, body: { name: 'for-bob', scope: 'users:read', user: bob.id } });
    assert.equal(byRoot2.status, 403);
    const root2List = await server.request('GET', 'tokens/', { token: root2.token, headers: { expand: 'list' } });
    assert.deepEqual(new Set((root2List.body as TokenBody[]).map((t) => t.user!.id)), new Set([root2.id]));
    const root2Admin = await server.request('POST', 'tokens/', { token: root2.token, body: { name: 'escalate', scope: 'admin' } });
    assert.equal(root2Admin.status, 403, 'the token lacks the admin scope, so it cannot grant it');
  });

  it('never lets a token create one that outlives it', async () => {
    const limit = new Date(Date.now() + 3_600_000).toISOString();
    const short = await server.request('POST', 'tokens/', {
      body: { name: 'short-lived', scope: 'tokens:write tokens:read users:read', expires_at: limit },
    });
    assert.equal(short.status, 201, short.text);
    const inherits = await server.request('POST', 'tokens/', { token: short.body.key, body: { name: 'child', scope: 'users:read' } });
    assert.equal(inherits.status, 201, inherits.text);
    assert.equal(inherits.body.expires_at, limit, 'no expiry given: the creator\'s expiry applies');
    const later = new Date(Date.now() + 7_200_000).toISOString();
    const longer = await server.request('POST', 'tokens/', { token: short.body.key, body: { name: 'child', scope: 'users:read', expires_at: later } });
    assert.equal(longer.status, 400, longer.text);
    assert.equal(longer.body.errors[0].location, 'body.expires_at');
  });

  it('needs a token to create or list tokens', async () => {
    const create = await server.request('POST', 'tokens/', { token: null, body: { name: 'x', scope: 'users:read' } });
    assert.equal(create.status, 401);
    const list = await server.request('GET', 'tokens/', { token: 'msk_not-a-real-token' });
    assert.equal(list.status, 401);
    assert.equal(list.body.code, 'invalid_token');
  });
});
