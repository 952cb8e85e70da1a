/**
 * Access rules that were too open (issue 14): groups and their members are seen only by their
 * own members (and site admins), and a crop layer is as private as the layer it was made from:
 * its list entry, detail, features and use as an export extent all follow the source layer's
 * `view`, live, as its permissions change.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { datasourceFor, ogr2ogr, publishedLayer, uploadDatasources, type PublishedLayer } from './helpers/published-layers.js';
import { adminToken, createUserWithToken, startTestServer, type TestServer } from './helpers/server.js';

const scope = 'users:read users:write layers:read layers:write exports:read exports:write';

interface UserRef {
  id: number;
  token: string;
  url: string;
}

describe('access rules', () => {
  let server: TestServer;
  let work: string;
  let alice: UserRef; // viewer of Alpha, member of Gamma
  let bob: UserRef; // member of Beta and Gamma only
  let carol: UserRef; // in no group
  let root2: UserRef; // an admin user whose token lacks the admin scope
  let alpha: number;
  let beta: number;
  let gamma: number;

  const addMember = async (group: number, user: UserRef, role = 'viewer') => {
    const res = await server.request('POST', `groups/${group}/members/`, { body: { user: user.id, role } });
    assert.equal(res.status, 201, res.text);
  };
  const makeGroup = async (name: string) => {
    const res = await server.request('POST', 'groups/', { body: { name } });
    assert.equal(res.status, 201, res.text);
    return res.body.id as number;
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-access-'));
    server = await startTestServer();
    alice = await createUserWithToken(server, 'alice', scope);
    bob = await createUserWithToken(server, 'bob', scope);
    carol = await createUserWithToken(server, 'carol', scope);
    root2 = await createUserWithToken(server, 'root2', scope, { is_admin: true });
    alpha = await makeGroup('Alpha');
    beta = await makeGroup('Beta');
    gamma = await makeGroup('Gamma');
    await addMember(alpha, alice);
    await addMember(beta, bob);
    await addMember(gamma, alice);
    await addMember(gamma, bob);
  });
  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('groups', () => {
    it('answers 404 for a group, its members and a membership to a user in no group', async () => {
      for (const path of [`groups/${alpha}/`, `groups/${alpha}/members/`, `groups/${alpha}/members/${alice.id}/`]) {
        const res = await server.request('GET', path, { token: carol.token });
        assert.equal(res.status, 404, `${path}: ${res.text}`);
        assert.equal(res.body.code, 'not_found', path);
        assert.doesNotMatch(res.text, /alice/, `${path} names no member`);
      }
      const head = await server.request('HEAD', `groups/${alpha}/members/`, { token: carol.token });
      assert.equal(head.status, 404);
    });

    it('answers 404 for another group to a member of a different group', async () => {
      for (const path of [`groups/${alpha}/`, `groups/${alpha}/members/`, `groups/${alpha}/members/${alice.id}/`]) {
        const res = await server.request('GET', path, { token: bob.token });
        assert.equal(res.status, 404, `${path}: ${res.text}`);
        assert.doesNotMatch(res.text, /alice/, `${path} names no member`);
      }
      // The same answer as a group that does not exist, for writes too.
      const missing = await server.request('GET', 'groups/999999/', { token: bob.token });
      assert.equal(missing.status, 404);
      const add = await server.request('POST', `groups/${alpha}/members/`, { token: bob.token, body: { user: bob.id, role: 'viewer' } });
      assert.equal(add.status, 404, add.text);
    });

    it('shows members their own group and its members', async () => {
      const group = await server.request('GET', `groups/${gamma}/`, { token: bob.token });
      assert.equal(group.status, 200, group.text);
      assert.equal(group.body.name, 'Gamma');
      const members = await server.request('GET', `groups/${gamma}/members/`, { token: bob.token });
      assert.equal(members.status, 200, members.text);
      assert.deepEqual(members.body.map((m: { user: { username: string } }) => m.user.username), ['alice', 'bob']);
      const one = await server.request('GET', `groups/${gamma}/members/${alice.id}/`, { token: bob.token });
      assert.equal(one.status, 200, one.text);
    });

    it('lists only the caller’s own groups, unless site admin', async () => {
      const names = async (token: string, query = '') => {
        const res = await server.request('GET', `groups/${query}`, { token });
        assert.equal(res.status, 200, res.text);
        return (res.body as Array<{ name: string }>).map((g) => g.name);
      };
      assert.deepEqual(await names(carol.token), []);
      assert.deepEqual(await names(bob.token), ['Beta', 'Gamma']);
      assert.deepEqual(await names(alice.token), ['Alpha', 'Gamma']);
      // Filters narrow what the caller may see; they never widen it.
      assert.deepEqual(await names(bob.token, `?member=${alice.id}`), ['Gamma']);
      assert.deepEqual(await names(bob.token, '?name=Alpha'), []);
      const counted = await server.request('HEAD', 'groups/', { token: bob.token });
      assert.equal(counted.headers.get('x-resource-range'), '0-2/2');
      // An admin user acting through a token without the admin scope is a normal user.
      assert.deepEqual(await names(root2.token), []);
      assert.equal((await server.request('GET', `groups/${alpha}/`, { token: root2.token })).status, 404);
      // The site admin (admin user and admin scope) sees every group.
      const all = await server.request('GET', 'groups/');
      assert.deepEqual((all.body as Array<{ name: string }>).map((g) => g.name), ['Alpha', 'Beta', 'Default', 'Gamma']);
      assert.equal((await server.request('GET', `groups/${alpha}/members/`)).status, 200);
    });

    it('names in a user’s detail only the groups the reader shares', async () => {
      const seenByBob = await server.request('GET', `users/${alice.id}/`, { token: bob.token });
      assert.equal(seenByBob.status, 200, seenByBob.text);
      assert.deepEqual(seenByBob.body.groups.map((g: { name: string }) => g.name), ['Gamma']);
      const listed = await server.request('GET', `users/?username=alice`, { token: bob.token, headers: { expand: 'list' } });
      assert.deepEqual(listed.body[0].groups.map((g: { name: string }) => g.name), ['Gamma']);
      const own = await server.request('GET', `users/${alice.id}/`, { token: alice.token });
      assert.deepEqual(own.body.groups.map((g: { name: string }) => g.name), ['Alpha', 'Gamma']);
      const admin = await server.request('GET', `users/${alice.id}/`);
      assert.deepEqual(admin.body.groups.map((g: { name: string }) => g.name), ['Alpha', 'Gamma']);
      assert.equal((await server.request('GET', `users/${alice.id}/`, { token: carol.token })).status, 404);
    });

    it('treats group.everyone as a principal, not a group with members', async () => {
      for (const path of ['groups/everyone/', 'groups/group.everyone/members/', 'groups/everyone/members/']) {
        const res = await server.request('GET', path, { token: bob.token });
        assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status} ${res.text}`);
      }
    });

    it('refuses anonymous callers', async () => {
      for (const path of ['groups/', `groups/${gamma}/`, `groups/${gamma}/members/`]) {
        assert.equal((await server.request('GET', path, { token: null })).status, 401, path);
      }
    });
  });

  describe('crop layers', () => {
    let secret: PublishedLayer; // owned by Alpha, no permissions
    let cropLayer: { id: number; url: string; features_url: string };
    let featureUrl: string;

    before(async () => {
      const geojson = join(work, 'zones.geojson');
      writeFileSync(
        geojson,
        JSON.stringify({
          type: 'FeatureCollection',
          features: [
            { type: 'Feature', properties: { name: 'Secret Zone' }, geometry: { type: 'Polygon', coordinates: [[[170, -45], [171, -45], [171, -44], [170, -44], [170, -45]]] } },
          ],
        }),
      );
      const gpkg = join(work, 'zones.gpkg');
      ogr2ogr(['-f', 'GPKG', '-a_srs', 'EPSG:4326', '-nln', 'zones', gpkg, geojson]);
      const sources = await uploadDatasources(server, 'Zones', gpkg, { group: alpha });
      secret = await publishedLayer(server, 'layers', { title: 'Secret Zones', group: alpha, data: { datasources: [datasourceFor(sources, 'zones').id] } });
      const res = await server.request('POST', 'exports/croplayers/', { body: { name: 'Zones', source_layer: secret.url } });
      assert.equal(res.status, 201, res.text);
      cropLayer = res.body;
      const features = await server.request('GET', cropLayer.features_url);
      assert.equal(features.status, 200, features.text);
      featureUrl = features.body[0].url;
    });

    const listedIds = async (token: string) => {
      const res = await server.request('GET', 'exports/croplayers/', { token });
      assert.equal(res.status, 200, res.text);
      return (res.body as Array<{ id: number }>).map((c) => c.id);
    };

    const assertHidden = async (who: UserRef, name: string) => {
      assert.equal((await server.request('GET', secret.url, { token: who.token })).status, 404, `${name}: the layer is private`);
      assert.ok(!(await listedIds(who.token)).includes(cropLayer.id), `${name}: not listed`);
      const head = await server.request('HEAD', 'exports/croplayers/', { token: who.token });
      assert.equal(head.headers.get('x-resource-range'), '0-0/0', `${name}: not counted`);
      for (const url of [cropLayer.url, cropLayer.features_url, featureUrl]) {
        const res = await server.request('GET', url, { token: who.token });
        assert.equal(res.status, 404, `${name} ${url}: ${res.text}`);
        assert.doesNotMatch(res.text, /Secret Zone|coordinates/, `${name} ${url}: no names or geometry`);
      }
      const validate = await server.request('POST', 'exports/validate/', { token: who.token, body: { crs: 'EPSG:2193', formats: {}, items: [], extent: featureUrl } });
      assert.equal(validate.status, 200, validate.text);
      assert.equal(validate.body.is_valid, false);
      assert.ok((validate.body.invalid_reasons as string[]).some((r) => r.startsWith('body.extent: ')), `${name}: ${validate.text}`);
      const created = await server.request('POST', 'exports/', { token: who.token, body: { crs: 'EPSG:2193', formats: {}, items: [], extent: featureUrl } });
      assert.ok(created.status >= 400 && created.status < 500, `${name}: POST exports/ ${created.status} ${created.text}`);
    };

    const assertVisible = async (who: UserRef, name: string) => {
      assert.ok((await listedIds(who.token)).includes(cropLayer.id), `${name}: listed`);
      assert.equal((await server.request('GET', cropLayer.url, { token: who.token })).status, 200, `${name}: detail`);
      const features = await server.request('GET', cropLayer.features_url, { token: who.token });
      assert.equal(features.status, 200, features.text);
      assert.deepEqual(features.body.map((f: { name: string }) => f.name), ['Secret Zone']);
      const feature = await server.request('GET', featureUrl, { token: who.token });
      assert.equal(feature.status, 200, feature.text);
      assert.equal(feature.body.geometry.type, 'Polygon');
      const validate = await server.request('POST', 'exports/validate/', { token: who.token, body: { crs: 'EPSG:2193', formats: {}, items: [], extent: featureUrl } });
      assert.ok(!(validate.body.invalid_reasons as string[]).some((r) => r.startsWith('body.extent: ')), `${name}: ${validate.text}`);
    };

    it('hides a private layer’s crop layer, features and geometry from users who cannot view the layer', async () => {
      await assertHidden(bob, 'bob (another group)');
      await assertHidden(carol, 'carol (no group)');
      await assertHidden(root2, 'root2 (admin user, no admin scope)');
    });

    it('shows it to those who may view the layer, and to site admins', async () => {
      await assertVisible(alice, 'alice (viewer of the owning group)');
      assert.ok((await listedIds(adminToken)).includes(cropLayer.id));
    });

    it('follows permission changes on the source layer at once', async () => {
      const grant = await server.request('POST', `layers/${secret.id}/permissions/`, { body: { id: `group.${beta}`, permission: 'view' } });
      assert.equal(grant.status, 201, grant.text);
      await assertVisible(bob, 'bob (Beta granted view)');
      await assertHidden(carol, 'carol (still no access)');
      const revoke = await server.request('PUT', `layers/${secret.id}/permissions/`, { body: [] });
      assert.equal(revoke.status, 200, revoke.text);
      await assertHidden(bob, 'bob (view revoked)');
      const everyone = await server.request('POST', `layers/${secret.id}/permissions/`, { body: { id: 'group.everyone', permission: 'view' } });
      assert.equal(everyone.status, 201, everyone.text);
      await assertVisible(carol, 'carol (the layer is public)');
      await server.request('PUT', `layers/${secret.id}/permissions/`, { body: [] });
      await assertHidden(carol, 'carol (private again)');
    });
  });
});
