/**
 * OAuth2 for the Metadata API, over HTTP, with the exact requests of the Isogeo Python SDK 3.9
 * (requests-oauthlib; `spec/metadata-wire.md`): the token endpoint's three grants and its
 * RFC 6749 errors, Bearer tokens on /metadata/v1/ (and not on the Data API), the account and
 * its password, and the applications routes. The first application is made as the operator
 * makes it, offline (`createApplicationOffline`, behind `mapshelf applications create`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApplicationOffline, setPasswordOffline } from '../src/index.js';
import { hashSecret } from '../src/domain/tokens.js';
import { assertKeysWithin, basic, formHeaders, wireKeys, wireTime } from './helpers/metadata.js';
import { adminToken, createUserWithToken, startTestServer, type ApiResponse, type TestServer } from './helpers/server.js';

const userKeys = wireKeys.user;
const contactKeys = wireKeys.contact;
const workgroupKeys = wireKeys.workgroup;
const applicationKeys = wireKeys.application;

function assertOAuthError(res: ApiResponse, status: number, error: string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.error, error, res.text);
  assert.equal(typeof res.body.error_description, 'string');
  assert.equal(res.headers.get('cache-control'), 'no-store');
}

describe('Metadata API: OAuth2', () => {
  let server: TestServer;
  let group: { clientId: string; clientSecret: string };
  let userApp: { clientId: string; clientSecret: string };
  let workgroup: { id: number; uid: string };
  const adminPassword = 'correct horse battery staple';

  const token = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    server.request('POST', '/oauth/token', { token: null, headers: { ...formHeaders, ...headers }, raw: new URLSearchParams(form).toString() });
  const meta = (method: string, path: string, bearer: string | null, body?: unknown) =>
    server.request(method, `/metadata/v1/${path}`, { token: null, ...(bearer !== null && { headers: { authorization: `Bearer ${bearer}` } }), ...(body !== undefined && { body }) });
  const signIn = async (username = 'admin', password = adminPassword) => {
    const res = await token({ grant_type: 'password', username, password }, { authorization: basic(userApp.clientId, userApp.clientSecret) });
    assert.equal(res.status, 200, res.text);
    return res.body as { access_token: string; refresh_token: string };
  };

  before(async () => {
    server = await startTestServer();
    const created = await server.request('POST', 'groups/', { body: { name: 'Survey' } });
    assert.equal(created.status, 201, created.text);
    const row = await server.running.store.groups.findById(created.body.id);
    workgroup = { id: row!.id, uid: row!.uid };
    group = await createApplicationOffline(server.running.store, { name: 'Survey catalog', type: 'group', groupId: workgroup.id });
    userApp = await createApplicationOffline(server.running.store, { name: 'Scripts', type: 'user' });
    await setPasswordOffline(server.running.store, 'admin', adminPassword);
  });
  after(() => server.close());

  describe('POST /oauth/token', () => {
    it('gives a group application a Bearer token for its client credentials, as the SDK asks', async () => {
      assert.match(group.clientId, /^survey-catalog-[0-9a-f]{32}$/);
      assert.equal(group.clientSecret.length, 64);
      const res = await token({ grant_type: 'client_credentials' }, { authorization: basic(group.clientId, group.clientSecret) });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
      assert.equal(res.body.token_type, 'bearer');
      assert.equal(res.body.expires_in, 3600);
      assert.equal(res.body.scope, 'resources:read');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('pragma'), 'no-cache');
    });

    it('answers a group refresh without a refresh token from its id and secret alone, a stale Bearer header ignored', async () => {
      const res = await token({ grant_type: 'refresh_token', client_id: group.clientId, client_secret: group.clientSecret }, { authorization: 'Bearer stale-token' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.refresh_token, undefined);
    });

    it('signs a user in through a user application, with a refresh token that is used up once', async () => {
      const first = await signIn();
      assert.equal(typeof first.refresh_token, 'string');
      const refreshed = await token({ grant_type: 'refresh_token', client_id: userApp.clientId, client_secret: userApp.clientSecret, refresh_token: first.refresh_token });
      assert.equal(refreshed.status, 200, refreshed.text);
      assert.notEqual(refreshed.body.refresh_token, first.refresh_token);
      assert.equal((await meta('GET', 'account/', refreshed.body.access_token)).status, 200);
      assertOAuthError(await token({ grant_type: 'refresh_token', client_id: userApp.clientId, client_secret: userApp.clientSecret, refresh_token: first.refresh_token }), 400, 'invalid_grant');
      // Another client can't use it either.
      assertOAuthError(await token({ grant_type: 'refresh_token', client_id: group.clientId, client_secret: group.clientSecret, refresh_token: refreshed.body.refresh_token }), 400, 'invalid_grant');
    });

    it('refuses bad requests with RFC 6749 error objects', async () => {
      const wrongSecret = await token({ grant_type: 'client_credentials' }, { authorization: basic(group.clientId, 'x'.repeat(64)) });
      assertOAuthError(wrongSecret, 401, 'invalid_client');
      assert.match(wrongSecret.headers.get('www-authenticate') ?? '', /^Basic/);
      assertOAuthError(await token({ grant_type: 'client_credentials' }, { authorization: 'Basic !!!' }), 401, 'invalid_client');
      assertOAuthError(await token({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` }), 401, 'invalid_client');
      assertOAuthError(await token({ grant_type: 'client_credentials' }), 401, 'invalid_client');
      assertOAuthError(await token({ grant_type: 'authorization_code' }, { authorization: basic(group.clientId, group.clientSecret) }), 400, 'unsupported_grant_type');
      assertOAuthError(await token({}, { authorization: basic(group.clientId, group.clientSecret) }), 400, 'invalid_request');
      assertOAuthError(await token({ grant_type: 'password', username: 'admin', password: adminPassword }, { authorization: basic(group.clientId, group.clientSecret) }), 400, 'unauthorized_client');
      assertOAuthError(await token({ grant_type: 'client_credentials' }, { authorization: basic(userApp.clientId, userApp.clientSecret) }), 400, 'unauthorized_client');
      const auth = { authorization: basic(userApp.clientId, userApp.clientSecret) };
      assertOAuthError(await token({ grant_type: 'password', username: 'admin', password: 'wrong password!' }, auth), 400, 'invalid_grant');
      assertOAuthError(await token({ grant_type: 'password', username: 'nobody', password: adminPassword }, auth), 400, 'invalid_grant');
      assertOAuthError(await token({ grant_type: 'password', username: 'admin' }, auth), 400, 'invalid_request');
      assertOAuthError(await token({ grant_type: 'refresh_token', client_id: userApp.clientId, client_secret: userApp.clientSecret, refresh_token: 'nope' }), 400, 'invalid_grant');
      assertOAuthError(await token({ grant_type: 'client_credentials', scope: 'resources:write' }, { authorization: basic(group.clientId, group.clientSecret) }), 400, 'invalid_scope');
      const repeated = await server.request('POST', '/oauth/token', { token: null, headers: { ...formHeaders, authorization: basic(group.clientId, group.clientSecret) }, raw: 'grant_type=client_credentials&grant_type=password' });
      assertOAuthError(repeated, 400, 'invalid_request');
      const json = await server.request('POST', '/oauth/token', { token: null, headers: { authorization: basic(group.clientId, group.clientSecret) }, body: { grant_type: 'client_credentials' } });
      assertOAuthError(json, 400, 'invalid_request');
      const twice = await token({ grant_type: 'client_credentials', client_id: userApp.clientId, client_secret: userApp.clientSecret }, { authorization: basic(group.clientId, group.clientSecret) });
      assertOAuthError(twice, 400, 'invalid_request');
    });

    it('is named by the site root', async () => {
      const res = await server.request('GET', '/', { token: null });
      assert.deepEqual(res.body.apis, { data: server.api, metadata: `${server.url}/metadata/v1/`, oauth: `${server.url}/oauth/token` });
    });
  });

  describe('Bearer tokens', () => {
    it('open the Metadata API, through the SDK\'s double and missing slashes, and answer Isogeo\'s User', async () => {
      const { access_token } = await signIn();
      for (const path of ['/metadata/v1/account/?_lang=fr&_include=_abilities', '/metadata/v1//account//?_lang=fr&_include=_abilities', '/metadata/v1/account?_lang=en&_include=_abilities']) {
        const res = await server.request('GET', path, { token: null, headers: { authorization: `Bearer ${access_token}` } });
        assert.equal(res.status, 200, `${path}: ${res.text}`);
        assertKeysWithin(res.body, userKeys, 'the account');
        assertKeysWithin(res.body.contact, contactKeys, 'its contact');
        assert.match(res.body._id, /^[0-9a-f]{32}$/);
        assert.match(res.body._created, wireTime);
        assert.match(res.body._modified, wireTime);
        assert.equal(res.body.staff, true);
        assert.equal(res.body.language, 'en');
        assert.ok(Array.isArray(res.body._abilities));
      }
    });

    it('are refused by the Data API, and key tokens by the Metadata API, each with a 401 that says which to send', async () => {
      const { access_token } = await signIn();
      const data = await server.request('GET', 'users/', { token: null, headers: { authorization: `Bearer ${access_token}` } });
      assert.equal(data.status, 401);
      assert.equal(data.body.code, 'invalid_authorization_header');
      const key = await server.request('GET', '/metadata/v1/account/', { token: null, headers: { authorization: `key ${adminToken}` } });
      assert.equal(key.status, 401, key.text);
      assert.equal(key.body.code, 'invalid_authorization_header');
      assert.match(key.body.error, /Bearer/);
      assert.match(key.headers.get('www-authenticate') ?? '', /^Bearer/);
      const none = await meta('GET', 'account/', null);
      assert.equal(none.status, 401);
      assert.equal(none.body.code, 'authentication_required');
      assert.equal(typeof none.body.error, 'string', 'the SDK logs `error`');
      const unknown = await meta('GET', 'account/', 'not-a-token');
      assert.equal(unknown.status, 401);
      assert.equal(unknown.body.code, 'invalid_token');
    });

    it('refuses an expired access token', async () => {
      const application = await server.running.store.applications.findByClientId(userApp.clientId);
      const at = new Date(Date.now() - 7200_000).toISOString();
      await server.running.store.applications.createToken({
        application_id: application!.id,
        user_id: 1,
        kind: 'access',
        token_hash: hashSecret('an-expired-token'),
        scope: 'resources:read',
        created_at: at,
        expires_at: new Date(Date.now() - 3600_000).toISOString(),
      });
      const res = await meta('GET', 'account/', 'an-expired-token');
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.code, 'token_expired');
    });

    it('gives a group application no account', async () => {
      const res = await token({ grant_type: 'client_credentials' }, { authorization: basic(group.clientId, group.clientSecret) });
      const account = await meta('GET', 'account/', res.body.access_token);
      assert.equal(account.status, 403, account.text);
      assert.equal(account.body.code, 'forbidden');
    });
  });

  describe('the account', () => {
    it('changes its password with the current one, language and time zone', async () => {
      const user = await createUserWithToken(server, 'editor', 'users:read');
      const row = await server.running.store.users.findById(user.id);
      await setPasswordOffline(server.running.store, 'editor', 'first password here');
      const { access_token } = await signIn('editor', 'first password here');
      const without = await meta('PUT', 'account/', access_token, { password: 'second password here' });
      assert.equal(without.status, 400, without.text);
      assert.deepEqual(without.body.errors, [{ location: 'body.currentPassword', message: 'give the current password to set a new one' }]);
      const wrong = await meta('PUT', 'account/', access_token, { password: 'second password here', currentPassword: 'not it at all' });
      assert.equal(wrong.status, 400);
      const short = await meta('PUT', 'account/', access_token, { password: 'short', currentPassword: 'first password here' });
      assert.equal(short.status, 400);
      assert.equal(short.body.errors[0].location, 'body.password');
      // The SDK sends back every key it read, and the new fields.
      const read = await meta('GET', 'account/', access_token);
      const changed = await meta('PUT', 'account/', access_token, { ...read.body, language: 'fr', timezone: 'Europe/Paris', password: 'second password here', currentPassword: 'first password here' });
      assert.equal(changed.status, 200, changed.text);
      assert.equal(changed.body.language, 'fr');
      assert.equal(changed.body.timezone, 'Europe/Paris');
      assert.equal(changed.body._id, row!.uid);
      assert.equal(JSON.stringify(changed.body).includes('password'), false, 'no password comes back');
      assertOAuthError(await token({ grant_type: 'password', username: 'editor', password: 'first password here' }, { authorization: basic(userApp.clientId, userApp.clientSecret) }), 400, 'invalid_grant');
      await signIn('editor', 'second password here');
      const badZone = await meta('PUT', 'account/', access_token, { timezone: 'Mars/Olympus' });
      assert.equal(badZone.status, 400);
      assert.equal(badZone.body.errors[0].location, 'body.timezone');
      const unknownKey = await meta('PUT', 'account/', access_token, { nickname: 'x' });
      assert.equal(unknownKey.status, 400);
    });

    it('lists its memberships with Isogeo\'s roles', async () => {
      const user = await createUserWithToken(server, 'viewer', 'users:read');
      const joined = await server.request('POST', `groups/${workgroup.id}/members/`, { body: { user: user.id, role: 'viewer' } });
      assert.equal(joined.status, 201, joined.text);
      await setPasswordOffline(server.running.store, 'viewer', 'viewer password here');
      const { access_token } = await signIn('viewer', 'viewer password here');
      const res = await meta('GET', 'account/memberships/', access_token);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, [{ role: 'reader', group: { _id: workgroup.uid, contact: { name: 'Survey' } } }]);
    });

    it("lets a site admin set a user's password, signing them out everywhere", async () => {
      await createUserWithToken(server, 'forgetful', 'users:read');
      await setPasswordOffline(server.running.store, 'forgetful', 'old password here');
      const theirs = await signIn('forgetful', 'old password here');
      const admin = await signIn();
      const uid = (await server.running.store.users.findByUsername('forgetful'))!.uid;
      const refused = await meta('PUT', `users/${uid}/`, theirs.access_token, { password: 'new password here' });
      assert.equal(refused.status, 403, 'their token lacks the admin scope');
      const set = await meta('PUT', `users/${uid}/`, admin.access_token, { password: 'new password here' });
      assert.equal(set.status, 200, set.text);
      assert.equal((await meta('GET', 'account/', theirs.access_token)).status, 401, 'their old token is revoked');
      await signIn('forgetful', 'new password here');
      assert.equal((await meta('GET', `users/${uid}/`, admin.access_token)).body._id, uid);
      assert.equal((await meta('GET', 'users/0123456789abcdef0123456789abcdef/', admin.access_token)).status, 404);
    });
  });

  describe('users', () => {
    it('lists every user for site admins, by username, a page at a time', async () => {
      const admin = await signIn();
      const all = await meta('GET', 'users/?_lang=fr&_limit=100', admin.access_token);
      assert.equal(all.status, 200, all.text);
      for (const user of all.body) assertKeysWithin(user, userKeys, 'a user');
      const names = all.body.map((u: { contact: { name: string } }) => u.contact.name);
      assert.ok(names.length >= 4, names.join());
      const page = await meta('GET', 'users/?_limit=2&_offset=1', admin.access_token);
      assert.deepEqual(page.body.map((u: { _id: string }) => u._id), all.body.slice(1, 3).map((u: { _id: string }) => u._id));
      assert.equal((await meta('GET', 'users/?_limit=101', admin.access_token)).status, 400);
      const viewer = await signIn('viewer', 'viewer password here');
      assert.equal((await meta('GET', 'users/', viewer.access_token)).status, 403);
    });
  });

  describe('workgroups', () => {
    it("are Mapshelf's groups, with Isogeo's keys, limits counted from the data, for their members and applications", async () => {
      const set = await server.request('POST', 'sets/', { body: { title: 'Survey maps', group: workgroup.id } });
      assert.equal(set.status, 201, set.text);
      const admin = await signIn();
      const all = await meta('GET', 'groups/?_include=_abilities,limits', admin.access_token);
      assert.equal(all.status, 200, all.text);
      const survey = all.body.find((g: { _id: string }) => g._id === workgroup.uid);
      assert.ok(survey, 'a site admin sees every workgroup');
      assertKeysWithin(survey, workgroupKeys, 'a workgroup');
      assertKeysWithin(survey.contact, contactKeys, "its contact");
      assert.match(survey._created, wireTime);
      assert.equal(survey.contact.name, 'Survey');
      assert.equal(survey.limits.resources.current, 1, 'the set it holds');
      assert.equal(survey.limits.resources.max, -1);
      assert.ok(Array.isArray(survey._abilities));
      const one = await meta('GET', `groups/${workgroup.uid}/?_include=limits`, admin.access_token);
      assert.deepEqual(one.body.limits, survey.limits);
      assert.deepEqual((await meta('GET', `//groups/${workgroup.uid}//limits//`, admin.access_token)).body, survey.limits);

      const viewer = await signIn('viewer', 'viewer password here');
      const theirs = await meta('GET', 'groups/', viewer.access_token);
      assert.deepEqual(theirs.body.map((g: { _id: string }) => g._id), [workgroup.uid], 'a member sees their workgroups');
      assert.equal(theirs.body[0].canCreateMetadata, false, 'a reader');
      const created = await server.request('POST', 'groups/', { body: { name: 'Elsewhere' } });
      const elsewhere = (await server.running.store.groups.findById(created.body.id))!.uid;
      assert.equal((await meta('GET', `groups/${elsewhere}/`, viewer.access_token)).status, 404, 'another workgroup is not there');
      assert.equal((await meta('GET', `groups/${elsewhere}/limits/`, viewer.access_token)).status, 404);

      const app = await token({ grant_type: 'client_credentials' }, { authorization: basic(group.clientId, group.clientSecret) });
      assert.equal((await meta('GET', `groups/${workgroup.uid}/`, app.body.access_token)).status, 200, 'its group application');
      assert.equal((await meta('GET', `groups/${elsewhere}/`, app.body.access_token)).status, 404);
    });
  });

  describe('applications', () => {
    it('are created by site admins, with a secret shown once, and joined to workgroups', async () => {
      const { access_token } = await signIn();
      const created = await meta('POST', 'applications/', access_token, { name: 'Field app', type: 'group', canHaveManyGroups: false });
      assert.equal(created.status, 201, created.text);
      assertKeysWithin(created.body, applicationKeys, 'an application');
      assert.match(created.body.client_id, /^field-app-[0-9a-f]{32}$/);
      assert.equal(created.body.client_secret.length, 64);
      assert.deepEqual(created.body.scopes, ['resources:read']);
      const id = created.body._id;
      const read = await meta('GET', `applications/${id}/`, access_token);
      assert.equal(read.status, 200);
      assert.equal(read.body.client_secret, undefined, 'the secret is shown only once');
      assert.equal((await meta('PUT', `applications/${id}/groups/${workgroup.uid}/`, access_token)).status, 200);
      const listed = await meta('GET', `groups/${workgroup.uid}/applications/?_include=_abilities`, access_token);
      assert.deepEqual(listed.body.map((a: { _id: string }) => a._id).sort(), [id, (await server.running.store.applications.findByClientId(group.clientId))!.uid].sort());
      const second = await server.request('POST', 'groups/', { body: { name: 'Second' } });
      const other = (await server.running.store.groups.findById(second.body.id))!.uid;
      const many = await meta('PUT', `applications/${id}/groups/${other}/`, access_token);
      assert.equal(many.status, 409, 'canHaveManyGroups is false');
      const renamed = await meta('PUT', `applications/${id}/`, access_token, { ...read.body, name: 'Field app 2' });
      assert.equal(renamed.status, 200, renamed.text);
      assert.equal(renamed.body.name, 'Field app 2');
      const appToken = await token({ grant_type: 'client_credentials' }, { authorization: basic(created.body.client_id, created.body.client_secret) });
      assert.equal(appToken.status, 200);
      assert.equal((await meta('DELETE', `applications/${id}/`, access_token)).status, 204);
      assert.equal((await meta('GET', `applications/${id}/`, access_token)).status, 404);
      assertOAuthError(await token({ grant_type: 'client_credentials' }, { authorization: basic(created.body.client_id, created.body.client_secret) }), 401, 'invalid_client');
    });

    it('refuse what is not a site admin\'s, and bad input, with JSON objects naming the field', async () => {
      const { access_token } = await signIn('viewer', 'viewer password here');
      const refused = await meta('POST', 'applications/', access_token, { name: 'Mine', type: 'user' });
      assert.equal(refused.status, 403, refused.text);
      assert.equal(Array.isArray(refused.body), false);
      const admin = await signIn();
      const badType = await meta('POST', 'applications/', admin.access_token, { name: 'Bad', type: 'robot' });
      assert.equal(badType.status, 400);
      assert.match(JSON.stringify(badType.body.errors), /body\.type/);
      const badScope = await meta('POST', 'applications/', admin.access_token, { name: 'Bad', type: 'group', scopes: ['resources:write'] });
      assert.equal(badScope.status, 400, badScope.text);
      assert.equal(badScope.body.errors[0].location, 'body.scopes');
      const badId = await meta('GET', 'applications/NOT-AN-ID/', admin.access_token);
      assert.equal(badId.status, 400);
      // The viewer sees only their workgroup's applications.
      const seen = await meta('GET', 'applications/', access_token);
      assert.equal(seen.status, 200);
      assert.deepEqual(seen.body, []);
    });
  });
});
