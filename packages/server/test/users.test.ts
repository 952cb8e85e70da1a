import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminToken, createUserWithToken, startTestServer, type TestServer } from './helpers/server.js';

interface UserRef {
  id: number;
  token: string;
  url: string;
}

interface UserSummary {
  id: number;
  url: string;
  username: string;
  first_name: string;
  last_name: string;
}

const rw = 'users:read users:write';

describe('users', () => {
  let server: TestServer;
  let adminId: number;
  let alice: UserRef;
  let bob: UserRef;
  let carol: UserRef;
  let root2: UserRef;
  let groupId: number;

  before(async () => {
    server = await startTestServer();
    const me = await server.request('GET', 'users/me/');
    assert.equal(me.status, 200, me.text);
    adminId = me.body.id;
    alice = await createUserWithToken(server, 'alice', rw, { first_name: 'Alice', email: 'alice@example.org' });
    bob = await createUserWithToken(server, 'bob', rw);
    carol = await createUserWithToken(server, 'carol', rw);
    // An admin user whose token lacks the `admin` scope.
    root2 = await createUserWithToken(server, 'root2', rw, { is_admin: true });
    const group = await server.request('POST', 'groups/', { body: { name: 'Alice and Bob' } });
    assert.equal(group.status, 201, group.text);
    groupId = group.body.id;
    for (const user of [alice, bob]) {
      const res = await server.request('POST', `groups/${groupId}/members/`, { body: { user: user.id, role: 'viewer' } });
      assert.equal(res.status, 201, res.text);
    }
  });
  after(() => server.close());

  it('lets the site admin create a user: 201, Location is the url, and GET of it returns the user', async () => {
    const res = await server.request('POST', 'users/', {
      body: { username: 'dora', email: 'dora@example.org', first_name: 'Dora', last_name: 'Explorer' },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(typeof res.body.id, 'number');
    assert.equal(res.body.url, `${server.api}users/${res.body.id}/`);
    assert.equal(res.headers.get('location'), res.body.url);
    assert.equal(res.body.username, 'dora');
    assert.equal(res.body.email, 'dora@example.org');
    assert.equal(res.body.is_admin, false);
    assert.equal(res.body.is_active, true);
    assert.deepEqual(res.body.groups, []);

    const got = await server.request('GET', res.headers.get('location')!);
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.body, res.body);
  });

  it('refuses a duplicate username, ignoring case, with 409 conflict', async () => {
    for (const username of ['alice', 'ALICE', 'Alice']) {
      const res = await server.request('POST', 'users/', { body: { username } });
      assert.equal(res.status, 409, username);
      assert.equal(res.body.code, 'conflict', username);
    }
    const rename = await server.request('PATCH', `users/${bob.id}/`, { body: { username: 'aLiCe' } });
    assert.equal(rename.status, 409, rename.text);
    assert.equal(rename.body.code, 'conflict');
  });

  it('refuses unknown fields and wrong types with 400 invalid_body naming the field', async () => {
    const cases: Array<{ body: unknown; location: string }> = [
      { body: { username: 'eve', bogus: 1 }, location: 'body.bogus' },
      { body: { username: 42 }, location: 'body.username' },
      { body: { username: 'has space' }, location: 'body.username' },
      { body: {}, location: 'body.username' },
      { body: { username: 'eve', is_admin: 'yes' }, location: 'body.is_admin' },
      { body: { username: 'eve', email: 'not-an-email' }, location: 'body.email' },
      { body: { username: 'eve', first_name: 7 }, location: 'body.first_name' },
    ];
    for (const { body, location } of cases) {
      const res = await server.request('POST', 'users/', { body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.code, 'invalid_body', JSON.stringify(body));
      const locations = (res.body.errors as Array<{ location: string }>).map((e) => e.location);
      assert.ok(locations.includes(location), `${JSON.stringify(body)}: ${locations.join(', ')}`);
    }
    const patch = await server.request('PATCH', `users/${alice.id}/`, { body: { nickname: 'al' } });
    assert.equal(patch.status, 400);
    assert.equal(patch.body.code, 'invalid_body');
    assert.equal(patch.body.errors[0].location, 'body.nickname');
    const none = await server.request('GET', 'users/?username=eve');
    assert.equal(none.body.length, 0, 'no invalid request created a user');
  });

  it('lets no one but a site admin create users', async () => {
    const plain = await server.request('POST', 'users/', { token: alice.token, body: { username: 'mallory' } });
    assert.equal(plain.status, 403, plain.text);
    assert.equal(plain.body.code, 'forbidden');

    const adminWithoutScope = await server.request('POST', 'users/', { token: root2.token, body: { username: 'mallory' } });
    assert.equal(adminWithoutScope.status, 403, adminWithoutScope.text);
    assert.equal(adminWithoutScope.body.code, 'forbidden');

    const anonymous = await server.request('POST', 'users/', { token: null, body: { username: 'mallory' } });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.code, 'authentication_required');

    const none = await server.request('GET', 'users/?username=mallory');
    assert.equal(none.body.length, 0);
  });

  it('shows a non-admin only themselves and the members of their groups', async () => {
    const asAlice = await server.request('GET', 'users/', { token: alice.token });
    assert.equal(asAlice.status, 200, asAlice.text);
    assert.deepEqual(asAlice.body.map((u: UserSummary) => u.username), ['alice', 'bob']);
    assert.equal(asAlice.headers.get('x-resource-range'), '0-2/2');

    const asCarol = await server.request('GET', 'users/', { token: carol.token });
    assert.deepEqual(asCarol.body.map((u: UserSummary) => u.username), ['carol']);
    assert.equal(asCarol.headers.get('x-resource-range'), '0-1/1');

    const visible = await server.request('GET', `users/${bob.id}/`, { token: alice.token });
    assert.equal(visible.status, 200);
    assert.equal(visible.body.username, 'bob');

    for (const hidden of [carol.id, adminId, root2.id]) {
      const res = await server.request('GET', `users/${hidden}/`, { token: alice.token });
      assert.equal(res.status, 404, `user ${hidden}`);
      assert.equal(res.body.code, 'not_found');
    }
    const hiddenByFilter = await server.request('GET', `users/?id=${carol.id}`, { token: alice.token });
    assert.equal(hiddenByFilter.body.length, 0);

    // Leaving the shared group ends the visibility.
    const temp = await server.request('POST', `groups/${groupId}/members/`, { body: { user: carol.id, role: 'editor' } });
    assert.equal(temp.status, 201);
    assert.equal((await server.request('GET', `users/${carol.id}/`, { token: alice.token })).status, 200);
    assert.equal((await server.request('GET', 'users/', { token: carol.token })).body.length, 3);
    assert.equal((await server.request('DELETE', `groups/${groupId}/members/${carol.id}/`)).status, 204);
    assert.equal((await server.request('GET', `users/${carol.id}/`, { token: alice.token })).status, 404);
    assert.equal((await server.request('GET', 'users/', { token: carol.token })).body.length, 1);

    const all = await server.request('GET', 'users/');
    const names = all.body.map((u: UserSummary) => u.username);
    for (const name of ['admin', 'alice', 'bob', 'carol', 'root2']) assert.ok(names.includes(name), name);
  });

  it('answers GET /users/me/ with the token owner', async () => {
    const me = await server.request('GET', 'users/me/', { token: alice.token });
    assert.equal(me.status, 200);
    assert.equal(me.body.id, alice.id);
    assert.equal(me.body.username, 'alice');
    assert.equal(me.body.url, alice.url);
    assert.equal(me.body.email, 'alice@example.org');
    assert.deepEqual(
      me.body.groups.map((g: { id: number; name: string; role: string }) => [g.id, g.name, g.role]),
      [[groupId, 'Alice and Bob', 'viewer']],
    );

    const anonymous = await server.request('GET', 'users/me/', { token: null });
    assert.equal(anonymous.status, 401);
  });

  it('lets a user change their own profile but not their admin rights', async () => {
    const res = await server.request('PATCH', `users/${alice.id}/`, { token: alice.token, body: { first_name: 'Alicia' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.first_name, 'Alicia');
    assert.equal((await server.request('GET', `users/${alice.id}/`)).body.first_name, 'Alicia');

    for (const body of [{ is_admin: true }, { is_active: false }, { username: 'alice2' }]) {
      const refused = await server.request('PATCH', `users/${alice.id}/`, { token: alice.token, body });
      assert.equal(refused.status, 403, JSON.stringify(body));
      assert.equal(refused.body.code, 'forbidden');
    }
    const after = await server.request('GET', `users/${alice.id}/`);
    assert.equal(after.body.is_admin, false);
    assert.equal(after.body.is_active, true);
    assert.equal(after.body.username, 'alice');
  });

  it("does not let a user change someone else's profile", async () => {
    const visible = await server.request('PATCH', `users/${bob.id}/`, { token: alice.token, body: { first_name: 'Bobby' } });
    assert.equal(visible.status, 403);
    assert.equal(visible.body.code, 'forbidden');
    const hidden = await server.request('PATCH', `users/${carol.id}/`, { token: alice.token, body: { first_name: 'Caz' } });
    assert.equal(hidden.status, 404);
    assert.equal((await server.request('GET', `users/${bob.id}/`)).body.first_name, '');
    assert.equal((await server.request('GET', `users/${carol.id}/`)).body.first_name, '');
  });

  it('lets the site admin change other users, with PATCH and PUT', async () => {
    const res = await server.request('PATCH', `users/${bob.id}/`, { body: { first_name: 'Robert', last_name: 'Builder', username: 'Bob' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.first_name, 'Robert');
    assert.equal(res.body.last_name, 'Builder');
    assert.equal(res.body.username, 'Bob', 'a user may be renamed to a different case of their own name');
    const put = await server.request('PUT', `users/${bob.id}/`, { body: { email: 'bob@example.org', username: 'bob' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.email, 'bob@example.org');
    assert.equal(put.body.first_name, 'Robert');

    const promote = await server.request('PATCH', `users/${carol.id}/`, { body: { is_admin: true } });
    assert.equal(promote.status, 200);
    assert.equal(promote.body.is_admin, true);
    const demote = await server.request('PATCH', `users/${carol.id}/`, { body: { is_admin: false } });
    assert.equal(demote.body.is_admin, false);

    const missing = await server.request('PATCH', 'users/999999/', { body: { first_name: 'X' } });
    assert.equal(missing.status, 404);
  });

  it('treats an admin user whose token lacks the admin scope as an ordinary user', async () => {
    const me = await server.request('GET', 'users/me/', { token: root2.token });
    assert.equal(me.body.is_admin, true);
    const list = await server.request('GET', 'users/', { token: root2.token });
    assert.deepEqual(list.body.map((u: UserSummary) => u.username), ['root2']);
    const other = await server.request('GET', `users/${alice.id}/`, { token: root2.token });
    assert.equal(other.status, 404);
    const patch = await server.request('PATCH', `users/${root2.id}/`, { token: root2.token, body: { is_active: false } });
    assert.equal(patch.status, 403);
    const del = await server.request('DELETE', `users/${carol.id}/`, { token: root2.token });
    assert.notEqual(del.status, 204);
    assert.equal((await server.request('GET', `users/${carol.id}/`)).body.is_active, true);
  });

  it('deactivates a user on DELETE and their tokens stop working', async () => {
    const dave = await createUserWithToken(server, 'dave', rw);
    const before = await server.request('GET', 'users/me/', { token: dave.token });
    assert.equal(before.status, 200);

    const refused = await server.request('DELETE', `users/${dave.id}/`, { token: alice.token });
    assert.equal(refused.status, 404, 'dave is hidden from alice');
    const refusedSelf = await server.request('DELETE', `users/${dave.id}/`, { token: dave.token });
    assert.equal(refusedSelf.status, 403);

    const res = await server.request('DELETE', `users/${dave.id}/`);
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');

    const got = await server.request('GET', `users/${dave.id}/`);
    assert.equal(got.status, 200, 'the record stays');
    assert.equal(got.body.is_active, false);
    const inactive = await server.request('GET', 'users/?is_active=false');
    assert.deepEqual(inactive.body.map((u: UserSummary) => u.username), ['dave']);

    const after = await server.request('GET', 'users/me/', { token: dave.token });
    assert.equal(after.status, 401);
    assert.equal(after.body.code, 'invalid_token');

    // Reactivating does not bring the old tokens back.
    const back = await server.request('PATCH', `users/${dave.id}/`, { body: { is_active: true } });
    assert.equal(back.status, 200);
    assert.equal(back.body.is_active, true);
    const still = await server.request('GET', 'users/me/', { token: dave.token });
    assert.equal(still.status, 401);
  });

  it('refuses to deactivate or demote the last active admin with 409', async () => {
    // root2 is an admin too: while it is active, the bootstrap admin is not the last one.
    const bye = await server.request('DELETE', `users/${root2.id}/`);
    assert.equal(bye.status, 204, bye.text);

    const del = await server.request('DELETE', `users/${adminId}/`);
    assert.equal(del.status, 409, del.text);
    assert.equal(del.body.code, 'conflict');
    for (const body of [{ is_admin: false }, { is_active: false }]) {
      const res = await server.request('PATCH', `users/${adminId}/`, { body });
      assert.equal(res.status, 409, JSON.stringify(body));
      assert.equal(res.body.code, 'conflict');
    }
    const me = await server.request('GET', 'users/me/', { token: adminToken });
    assert.equal(me.status, 200, 'the admin token still works');
    assert.equal(me.body.is_admin, true);
    assert.equal(me.body.is_active, true);

    // With a second active admin, the first may step down.
    const promote = await server.request('PATCH', `users/${carol.id}/`, { body: { is_admin: true } });
    assert.equal(promote.status, 200);
    const carolAdmin = await server.request('POST', 'tokens/', { body: { name: 'carol-admin', scope: 'admin users:read users:write', user: carol.id } });
    assert.equal(carolAdmin.status, 201, carolAdmin.text);
    const demoteCarol = await server.request('PATCH', `users/${carol.id}/`, { token: carolAdmin.body.key, body: { is_admin: false } });
    assert.equal(demoteCarol.status, 200, 'another admin exists, so carol may step down');
    assert.equal(demoteCarol.body.is_admin, false);
    const last = await server.request('PATCH', `users/${adminId}/`, { body: { is_admin: false } });
    assert.equal(last.status, 409, 'the bootstrap admin is the last one again');
  });
});
