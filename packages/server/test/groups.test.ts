import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createUserWithToken, startTestServer, type TestServer } from './helpers/server.js';

interface UserRef {
  id: number;
  token: string;
  url: string;
}

interface GroupSummary {
  id: number;
  url: string;
  name: string;
}

interface Member {
  url: string;
  user: { id: number; url: string; username: string };
  role: string;
  joined_at: string;
}

const rw = 'users:read users:write';

describe('groups and memberships', () => {
  let server: TestServer;
  let lead: UserRef; // admin of "Surveyors", not a site admin
  let ed: UserRef; // editor of "Surveyors"
  let vi: UserRef; // viewer of "Surveyors"
  let out: UserRef; // in no group at first
  let surveyors: number;
  let hydrology: number;

  const memberNames = (body: Member[]) => body.map((m) => m.user.username);

  before(async () => {
    server = await startTestServer();
    lead = await createUserWithToken(server, 'lead', rw);
    ed = await createUserWithToken(server, 'ed', rw);
    vi = await createUserWithToken(server, 'vi', rw);
    out = await createUserWithToken(server, 'out', rw);
  });
  after(() => server.close());

  it('lets the site admin create a group: 201 with Location, and GET returns it', async () => {
    const res = await server.request('POST', 'groups/', { body: { name: 'Surveyors', description: 'Field teams' } });
    assert.equal(res.status, 201, res.text);
    surveyors = res.body.id;
    assert.equal(res.body.url, `${server.api}groups/${surveyors}/`);
    assert.equal(res.headers.get('location'), res.body.url);
    assert.equal(res.body.name, 'Surveyors');
    assert.equal(res.body.description, 'Field teams');
    assert.equal(res.body.member_count, 0);
    assert.equal(res.body.members, `${server.api}groups/${surveyors}/members/`);

    const got = await server.request('GET', res.headers.get('location')!);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, res.body);

    const other = await server.request('POST', 'groups/', { body: { name: 'Hydrology' } });
    assert.equal(other.status, 201, other.text);
    hydrology = other.body.id;
    assert.equal(other.body.description, '');
  });

  it('refuses a duplicate group name (ignoring case) with 409, and bad bodies with 400', async () => {
    for (const name of ['Surveyors', 'SURVEYORS']) {
      const res = await server.request('POST', 'groups/', { body: { name } });
      assert.equal(res.status, 409, name);
      assert.equal(res.body.code, 'conflict');
    }
    for (const [body, location] of [
      [{ name: 'X', colour: 'red' }, 'body.colour'],
      [{ name: 5 }, 'body.name'],
      [{}, 'body.name'],
      [{ name: '' }, 'body.name'],
    ] as const) {
      const res = await server.request('POST', 'groups/', { body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.code, 'invalid_body');
      assert.ok(
        (res.body.errors as Array<{ location: string }>).some((e) => e.location === location),
        `${JSON.stringify(body)}: ${res.text}`,
      );
    }
  });

  it('lets only site admins create groups', async () => {
    const res = await server.request('POST', 'groups/', { token: lead.token, body: { name: 'Mine' } });
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'forbidden');
  });

  it('adds a member with a role: 201 the first time, 200 when the role changes', async () => {
    const res = await server.request('POST', `groups/${surveyors}/members/`, { body: { user: lead.id, role: 'editor' } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.url, `${server.api}groups/${surveyors}/members/${lead.id}/`);
    assert.equal(res.headers.get('location'), res.body.url);
    assert.equal(res.body.role, 'editor');
    assert.equal(res.body.user.id, lead.id);
    assert.equal(res.body.user.username, 'lead');
    assert.equal(res.body.user.url, lead.url);

    const again = await server.request('POST', `groups/${surveyors}/members/`, { body: { user: lead.id, role: 'admin' } });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.role, 'admin');
    assert.equal(again.headers.get('location'), null);

    const one = await server.request('GET', res.body.url);
    assert.equal(one.status, 200);
    assert.equal(one.body.role, 'admin');

    const group = await server.request('GET', `groups/${surveyors}/`);
    assert.equal(group.body.member_count, 1);
  });

  it('refuses an unknown role, an unknown user and unknown fields with 400', async () => {
    const role = await server.request('POST', `groups/${surveyors}/members/`, { body: { user: ed.id, role: 'owner' } });
    assert.equal(role.status, 400, role.text);
    assert.equal(role.body.code, 'invalid_body');
    assert.ok((role.body.errors as Array<{ location: string }>).every((e) => e.location === 'body.role'), role.text);

    const user = await server.request('POST', `groups/${surveyors}/members/`, { body: { user: 999999, role: 'viewer' } });
    assert.equal(user.status, 400, user.text);
    assert.equal(user.body.errors[0].location, 'body.user');

    const extra = await server.request('POST', `groups/${surveyors}/members/`, { body: { user: ed.id, role: 'viewer', since: 'now' } });
    assert.equal(extra.status, 400);
    assert.equal(extra.body.errors[0].location, 'body.since');

    const noGroup = await server.request('POST', 'groups/999999/members/', { body: { user: ed.id, role: 'viewer' } });
    assert.equal(noGroup.status, 404);

    const members = await server.request('GET', `groups/${surveyors}/members/`);
    assert.deepEqual(memberNames(members.body), ['lead']);
  });

  it("lets a group's own admin (not a site admin) add and remove its members", async () => {
    for (const [user, role] of [
      [ed, 'editor'],
      [vi, 'viewer'],
      [out, 'viewer'],
    ] as const) {
      const res = await server.request('POST', `groups/${surveyors}/members/`, { token: lead.token, body: { user: user.id, role } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.role, role);
    }
    assert.equal((await server.request('GET', `groups/${surveyors}/`)).body.member_count, 4);

    const removed = await server.request('DELETE', `groups/${surveyors}/members/${out.id}/`, { token: lead.token });
    assert.equal(removed.status, 204, removed.text);
    assert.equal((await server.request('GET', `groups/${surveyors}/`)).body.member_count, 3);

    const renamed = await server.request('PATCH', `groups/${surveyors}/`, { token: lead.token, body: { description: 'Surveying crews' } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.description, 'Surveying crews');
    const taken = await server.request('PATCH', `groups/${surveyors}/`, { token: lead.token, body: { name: 'hydrology' } });
    assert.equal(taken.status, 409, taken.text);
    assert.equal(taken.body.code, 'conflict');
    assert.equal((await server.request('GET', `groups/${surveyors}/`)).body.name, 'Surveyors');
  });

  it('does not let a group admin manage another group, nor delete their own', async () => {
    // Another group is one they are not in: to them it does not exist (404), as for GET.
    const add = await server.request('POST', `groups/${hydrology}/members/`, { token: lead.token, body: { user: lead.id, role: 'admin' } });
    assert.equal(add.status, 404, add.text);
    assert.equal(add.body.code, 'not_found');
    const rename = await server.request('PATCH', `groups/${hydrology}/`, { token: lead.token, body: { name: 'Mine' } });
    assert.equal(rename.status, 404);
    const del = await server.request('DELETE', `groups/${surveyors}/`, { token: lead.token });
    assert.equal(del.status, 403);
    assert.equal((await server.request('GET', `groups/${surveyors}/`)).status, 200);
  });

  it('does not let editors or viewers manage members', async () => {
    for (const member of [ed, vi]) {
      const add = await server.request('POST', `groups/${surveyors}/members/`, { token: member.token, body: { user: out.id, role: 'viewer' } });
      assert.equal(add.status, 403, add.text);
      assert.equal(add.body.code, 'forbidden');
      const promote = await server.request('PUT', `groups/${surveyors}/members/${member.id}/`, { token: member.token, body: { role: 'admin' } });
      assert.equal(promote.status, 403);
      const remove = await server.request('DELETE', `groups/${surveyors}/members/${lead.id}/`, { token: member.token });
      assert.equal(remove.status, 403);
      const rename = await server.request('PATCH', `groups/${surveyors}/`, { token: member.token, body: { name: 'Ours' } });
      assert.equal(rename.status, 403);
    }
    const members = await server.request('GET', `groups/${surveyors}/members/`);
    assert.deepEqual(
      members.body.map((m: Member) => [m.user.username, m.role]),
      [
        ['ed', 'editor'],
        ['lead', 'admin'],
        ['vi', 'viewer'],
      ],
    );
  });

  it('lists members, filtered by role, for any signed-in user', async () => {
    const all = await server.request('GET', `groups/${surveyors}/members/`, { token: vi.token });
    assert.equal(all.status, 200);
    assert.equal(all.headers.get('x-resource-range'), '0-3/3');
    const editors = await server.request('GET', `groups/${surveyors}/members/?role=editor`);
    assert.deepEqual(memberNames(editors.body), ['ed']);
    const some = await server.request('GET', `groups/${surveyors}/members/?role=editor&role=viewer`);
    assert.deepEqual(memberNames(some.body), ['ed', 'vi']);
    const bad = await server.request('GET', `groups/${surveyors}/members/?role=owner`);
    assert.equal(bad.status, 400);
    const missing = await server.request('GET', 'groups/999999/members/');
    assert.equal(missing.status, 404);
  });

  it('lists and filters groups by name and member', async () => {
    // Site admins list every group; other users only their own (see access-rules.test.ts).
    const all = await server.request('GET', 'groups/');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.map((g: GroupSummary) => g.name), ['Default', 'Hydrology', 'Surveyors']);
    const outs = await server.request('GET', 'groups/', { token: out.token });
    assert.equal(outs.status, 200);
    assert.deepEqual(outs.body, []);
    const byName = await server.request('GET', 'groups/?name.icontains=VEY');
    assert.deepEqual(byName.body.map((g: GroupSummary) => g.name), ['Surveyors']);
    const byMember = await server.request('GET', `groups/?member=${ed.id}`);
    assert.deepEqual(byMember.body.map((g: GroupSummary) => g.id), [surveyors]);
    const none = await server.request('GET', `groups/?member=${out.id}`);
    assert.deepEqual(none.body, []);
    const full = await server.request('GET', `groups/?name=Surveyors`, { headers: { expand: 'list' } });
    assert.equal(full.body[0].member_count, 3);
    assert.equal(full.body[0].members, `${server.api}groups/${surveyors}/members/`);
  });

  it('changes a role with PUT members/{userId}/', async () => {
    const res = await server.request('PUT', `groups/${surveyors}/members/${vi.id}/`, { token: lead.token, body: { role: 'editor' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.role, 'editor');
    assert.equal(res.body.user.id, vi.id);
    const got = await server.request('GET', `groups/${surveyors}/members/${vi.id}/`);
    assert.equal(got.body.role, 'editor');

    const bad = await server.request('PUT', `groups/${surveyors}/members/${vi.id}/`, { body: { role: 'boss' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'invalid_body');
    const notMember = await server.request('PUT', `groups/${surveyors}/members/${out.id}/`, { body: { role: 'viewer' } });
    assert.equal(notMember.status, 404, 'PUT changes a role; it does not add members');
    const stillOut = await server.request('GET', `groups/${surveyors}/members/?user=${out.id}`);
    assert.deepEqual(stillOut.body, []);
  });

  it("lists a user's groups with their role in the user's detail", async () => {
    const res = await server.request('GET', `users/${vi.id}/`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.groups, [{ id: surveyors, url: `${server.api}groups/${surveyors}/`, name: 'Surveyors', role: 'editor' }]);
    const add = await server.request('POST', `groups/${hydrology}/members/`, { body: { user: vi.id, role: 'admin' } });
    assert.equal(add.status, 201);
    const again = await server.request('GET', `users/${vi.id}/`, { token: vi.token });
    assert.deepEqual(
      again.body.groups.map((g: { name: string; role: string }) => [g.name, g.role]),
      [
        ['Hydrology', 'admin'],
        ['Surveyors', 'editor'],
      ],
    );
  });

  it('removes a member with DELETE: 204, then 404', async () => {
    const res = await server.request('DELETE', `groups/${surveyors}/members/${ed.id}/`);
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    const got = await server.request('GET', `groups/${surveyors}/members/${ed.id}/`);
    assert.equal(got.status, 404);
    const again = await server.request('DELETE', `groups/${surveyors}/members/${ed.id}/`);
    assert.equal(again.status, 404);
    assert.deepEqual((await server.request('GET', `users/${ed.id}/`)).body.groups, []);
  });

  it('deletes a group (site admins only): 204, then 404, and its memberships go with it', async () => {
    const res = await server.request('DELETE', `groups/${hydrology}/`);
    assert.equal(res.status, 204, res.text);
    const got = await server.request('GET', `groups/${hydrology}/`);
    assert.equal(got.status, 404);
    assert.equal(got.body.code, 'not_found');
    const again = await server.request('DELETE', `groups/${hydrology}/`);
    assert.equal(again.status, 404);
    const groups = (await server.request('GET', `users/${vi.id}/`)).body.groups as Array<{ name: string }>;
    assert.deepEqual(groups.map((g) => g.name), ['Surveyors']);
    const byMember = await server.request('GET', `groups/?member=${vi.id}`);
    assert.deepEqual(byMember.body.map((g: GroupSummary) => g.id), [surveyors]);
  });
});
