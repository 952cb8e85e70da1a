/**
 * Workgroups' contacts on the Metadata API, with the Isogeo SDK's request shapes: `contact.create`
 * sends `faxNumber`, `organizationName` and `phoneNumber`, the answer names them `fax`,
 * `organization` and `phone`, with Contact's keys only. Members read them, admins and editors
 * change them, and another workgroup's are never there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApplicationOffline, setPasswordOffline } from '../src/index.js';
import { accessToken, assertKeysWithin, metadataCall, wireKeys, wireTime, type Credentials } from './helpers/metadata.js';
import { createUserWithToken, startTestServer, type TestServer } from './helpers/server.js';

/** `contact.create`'s body: Contact.to_dict_creation(), its 11 keys. */
const sdkContact = {
  addressLine1: '26 rue du Faubourg Saint-Jacques',
  addressLine2: null,
  addressLine3: null,
  city: 'Paris',
  countryCode: 'fr',
  email: 'survey@example.org',
  faxNumber: null,
  name: 'Survey desk',
  organizationName: 'Example Survey',
  phoneNumber: '+33 1 00 00 00 00',
  zipCode: '75014',
};

describe("Metadata API: workgroups' contacts and specifications", () => {
  let server: TestServer;
  let survey: string;
  let elsewhere: string;
  let admin: string;
  let editor: string;
  let reader: string;
  let app: string;

  before(async () => {
    server = await startTestServer();
    const groups: Record<string, number> = {};
    for (const name of ['Survey', 'Elsewhere']) groups[name] = (await server.request('POST', 'groups/', { body: { name } })).body.id;
    [survey, elsewhere] = (await Promise.all([groups.Survey!, groups.Elsewhere!].map(async (id) => (await server.running.store.groups.findById(id))!.uid))) as [string, string];
    const users: Credentials = await createApplicationOffline(server.running.store, { name: 'Contacts scripts', type: 'user' });
    const group: Credentials = await createApplicationOffline(server.running.store, { name: 'Survey viewer', type: 'group', groupId: groups.Survey! });
    await setPasswordOffline(server.running.store, 'admin', 'admin password here');
    admin = await accessToken(server, users, { username: 'admin', password: 'admin password here' });
    for (const [name, role] of [['editor', 'editor'], ['reader', 'viewer']] as const) {
      const user = await createUserWithToken(server, name, 'users:read');
      assert.equal((await server.request('POST', `groups/${groups.Survey}/members/`, { body: { user: user.id, role } })).status, 201);
      await setPasswordOffline(server.running.store, name, `${name} password here`);
    }
    editor = await accessToken(server, users, { username: 'editor', password: 'editor password here' });
    reader = await accessToken(server, users, { username: 'reader', password: 'reader password here' });
    app = await accessToken(server, group);
  });
  after(() => server.close());

  it('are created from the SDK body, answered with Contact keys, listed, read, changed and deleted', async () => {
    const created = await metadataCall(server, 'POST', `groups/${survey}/contacts/`, editor, sdkContact);
    assert.equal(created.status, 201, created.text);
    const contact = created.body;
    assertKeysWithin(contact, wireKeys.contact, 'a contact');
    assert.match(contact._id, /^[0-9a-f]{32}$/);
    assert.equal(contact._tag, `contact:${survey}:${contact._id}`);
    assert.equal(contact.organization, 'Example Survey');
    assert.equal(contact.phone, '+33 1 00 00 00 00');
    assert.equal(contact.fax, null);
    assert.equal(contact.countryCode, 'FR');
    assert.equal(contact.type, 'custom');
    assert.equal(contact.owner._id, survey);
    assert.match(contact.created, wireTime);

    const listed = await metadataCall(server, 'GET', `groups/${survey}/contacts/?_include=count`, reader);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.map((c: { _id: string }) => c._id), [contact._id]);
    assert.equal((await metadataCall(server, 'GET', `contacts/${contact._id}/`, app)).body.name, 'Survey desk', "the workgroup's application reads it");

    // What a GET gave, sent back changed.
    const changed = await metadataCall(server, 'PUT', `groups/${survey}/contacts/${contact._id}/`, editor, { ...contact, city: 'Lyon', zipCode: '69002' });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.city, 'Lyon');
    assert.equal(changed.body.organization, 'Example Survey');

    assert.equal((await metadataCall(server, 'DELETE', `groups/${survey}/contacts/${contact._id}/`, admin)).status, 204);
    assert.equal((await metadataCall(server, 'GET', `contacts/${contact._id}/`, admin)).status, 404);
  });

  it('are changed only by admins and editors, and never seen from another workgroup', async () => {
    const contact = (await metadataCall(server, 'POST', `groups/${survey}/contacts/`, admin, sdkContact)).body;
    const byReader = await metadataCall(server, 'POST', `groups/${survey}/contacts/`, reader, sdkContact);
    assert.equal(byReader.status, 403, byReader.text);
    assert.equal((await metadataCall(server, 'PUT', `groups/${survey}/contacts/${contact._id}/`, reader, { city: 'Nice' })).status, 403);
    assert.equal((await metadataCall(server, 'POST', `groups/${survey}/contacts/`, app, sdkContact)).status, 403, 'a group application only reads');
    assert.equal((await metadataCall(server, 'GET', `groups/${elsewhere}/contacts/`, reader)).status, 404);
    const admins = await metadataCall(server, 'POST', `groups/${elsewhere}/contacts/`, admin, { ...sdkContact, name: 'Elsewhere desk' });
    assert.equal(admins.status, 201, 'a site admin works in every workgroup');
    assert.equal((await metadataCall(server, 'GET', `contacts/${admins.body._id}/`, reader)).status, 404, "another workgroup's contact is not there");
    assert.equal((await metadataCall(server, 'PUT', `groups/${survey}/contacts/${admins.body._id}/`, admin, { city: 'Nice' })).status, 404, 'a contact is changed through its own workgroup');
  });

  it('specifications: created from the SDK\'s form, answered with Specification keys, changed and deleted by editors', async () => {
    const form = new URLSearchParams({ link: 'https://eur-lex.europa.eu/eli/reg/2010/1089/oj', name: 'INSPIRE interoperability of spatial data sets and services', published: '2010-12-08' });
    const created = await server.request('POST', `/metadata/v1/groups/${survey}/specifications/?_lang=fr`, {
      token: null,
      headers: { authorization: `Bearer ${editor}`, 'content-type': 'application/x-www-form-urlencoded' },
      raw: form.toString(),
    });
    assert.equal(created.status, 201, created.text);
    assertKeysWithin(created.body, ['_abilities', '_id', '_tag', 'count', 'link', 'name', 'owner', 'published'], 'a specification');
    assert.equal(created.body.published, '2010-12-08T00:00:00');
    assert.equal(created.body._tag, `specification:${survey}:${created.body._id}`);
    const listed = await metadataCall(server, 'GET', `groups/${survey}/specifications/?_include=_abilities,count`, reader);
    assert.deepEqual(listed.body.map((x: { _id: string }) => x._id), [created.body._id]);
    assert.deepEqual(listed.body[0]._abilities, [], 'a reader may not change it');
    const changed = await metadataCall(server, 'PUT', `groups/${survey}/specifications/${created.body._id}/`, editor, { ...created.body, published: '2010-12-08T10:30:00' });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.published, '2010-12-08T10:30:00');
    assert.equal((await metadataCall(server, 'PUT', `groups/${survey}/specifications/${created.body._id}/`, reader, { name: 'x' })).status, 403);
    const bad = await metadataCall(server, 'POST', `groups/${survey}/specifications/`, editor, { name: 'Bad', published: 'last year' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].location, 'body.published');
    assert.equal((await metadataCall(server, 'GET', `specifications/${created.body._id}/`, app)).status, 200);
    assert.equal((await metadataCall(server, 'DELETE', `groups/${survey}/specifications/${created.body._id}/`, editor)).status, 204);
    assert.equal((await metadataCall(server, 'GET', `specifications/${created.body._id}/`, admin)).status, 404);
  });

  it('invitations: an admin invites an address in a role, the user with it accepts and becomes a member, or refuses', async () => {
    const users: Credentials = await createApplicationOffline(server.running.store, { name: 'Invitation scripts', type: 'user' });
    for (const name of ['newcomer', 'declines']) {
      await createUserWithToken(server, name, 'users:read', { email: `${name}@example.org` });
      await setPasswordOffline(server.running.store, name, `${name} password here`);
    }
    const newcomer = await accessToken(server, users, { username: 'newcomer', password: 'newcomer password here' });
    const declines = await accessToken(server, users, { username: 'declines', password: 'declines password here' });
    const invite = (token: string, email: string, role: string) =>
      server.request('POST', `/metadata/v1/groups/${survey}/invitations/`, {
        token: null,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        raw: new URLSearchParams({ email, role }).toString(),
      });
    assert.equal((await invite(editor, 'newcomer@example.org', 'editor')).status, 403, 'only admins invite');
    const sent = await invite(admin, 'Newcomer@Example.org', 'editor');
    assert.equal(sent.status, 201, sent.text);
    assertKeysWithin(sent.body, ['_created', '_id', '_modified', 'email', 'expiresIn', 'group', 'role'], 'an invitation');
    assert.equal(sent.body.email, 'newcomer@example.org');
    assert.equal(sent.body.expiresIn, 30);
    assert.equal((await invite(admin, 'newcomer@example.org', 'reader')).status, 409, 'one invitation per address');
    assert.equal((await invite(admin, 'nobody', 'reader')).status, 400);
    assert.equal((await invite(admin, 'x@example.org', 'owner')).status, 400);
    const listed = await metadataCall(server, 'GET', `groups/${survey}/invitations/`, admin);
    assert.deepEqual(listed.body.map((i: { _id: string }) => i._id), [sent.body._id]);
    assert.equal((await metadataCall(server, 'GET', `groups/${survey}/invitations/`, reader)).status, 403);
    assert.equal((await metadataCall(server, 'GET', `invitations/${sent.body._id}/`, declines)).status, 404, 'another user does not see it');
    assert.equal((await metadataCall(server, 'POST', `invitations/${sent.body._id}/accept/`, declines)).status, 404);
    const lowered = await metadataCall(server, 'PUT', `invitations/${sent.body._id}/`, admin, { ...sent.body, role: 'reader' });
    assert.equal(lowered.status, 200, lowered.text);
    assert.equal(lowered.body.role, 'reader');

    assert.equal((await metadataCall(server, 'GET', `invitations/${sent.body._id}/`, newcomer)).status, 200, 'the invited user reads it');
    const accepted = await metadataCall(server, 'POST', `invitations/${sent.body._id}/accept/`, newcomer);
    assert.equal(accepted.status, 200, accepted.text);
    assert.deepEqual(accepted.body, { role: 'reader', group: { _id: survey, contact: { name: 'Survey' } } });
    const memberships = await metadataCall(server, 'GET', 'account/memberships/', newcomer);
    assert.deepEqual(memberships.body, [{ role: 'reader', group: { _id: survey, contact: { name: 'Survey' } } }]);
    assert.equal((await metadataCall(server, 'GET', `invitations/${sent.body._id}/`, admin)).status, 404, 'used up');
    assert.equal((await invite(admin, 'newcomer@example.org', 'editor')).status, 409, 'a member already');

    const second = await invite(admin, 'declines@example.org', 'editor');
    assert.equal((await metadataCall(server, 'POST', `invitations/${second.body._id}/accept/`, admin)).status, 403, 'only the invited user answers');
    assert.equal((await metadataCall(server, 'POST', `invitations/${second.body._id}/refuse/`, declines)).status, 204);
    assert.deepEqual((await metadataCall(server, 'GET', 'account/memberships/', declines)).body, []);
  });

  it("coordinate systems: every EPSG CRS from PROJ's database, and a workgroup's own names for them", async () => {
    const all = await metadataCall(server, 'GET', 'coordinate-systems/?_lang=fr', reader);
    assert.equal(all.status, 200, all.text);
    assert.ok(all.body.length > 5000, `${all.body.length} coordinate systems`);
    for (const crs of all.body.slice(0, 50)) assertKeysWithin(crs, ['_tag', 'alias', 'code', 'name'], 'a coordinate system');
    const lambert = all.body.find((crs: { code: string }) => crs.code === '2154');
    assert.match(lambert.name, /Lambert-93/);
    assert.equal(lambert._tag, 'coordinate-system:2154');
    assert.equal(lambert.alias, null);
    assert.equal((await metadataCall(server, 'GET', 'coordinate-systems/4326/', app)).body.name, 'WGS 84');
    assert.equal((await metadataCall(server, 'GET', 'coordinate-systems/999999/', reader)).status, 404);
    assert.equal((await metadataCall(server, 'GET', 'coordinate-systems/abc/', reader)).status, 400);

    const named = await metadataCall(server, 'PUT', `groups/${survey}/coordinate-systems/2154/`, editor, { alias: 'Lambert 93 (France)' });
    assert.equal(named.status, 200, named.text);
    assert.equal(named.body.alias, 'Lambert 93 (France)');
    assert.equal((await metadataCall(server, 'PUT', `groups/${survey}/coordinate-systems/2154/`, reader, { alias: 'x' })).status, 403);
    assert.equal((await metadataCall(server, 'PUT', `groups/${survey}/coordinate-systems/999999/`, editor, { alias: 'x' })).status, 404);
    const theirs = await metadataCall(server, 'GET', `groups/${survey}/coordinate-systems/`, reader);
    assert.deepEqual(theirs.body.map((crs: { code: string; alias: string }) => [crs.code, crs.alias]), [['2154', 'Lambert 93 (France)']]);
    assert.equal((await metadataCall(server, 'GET', `groups/${survey}/coordinate-systems/2154/`, app)).body.alias, 'Lambert 93 (France)');
    assert.equal((await metadataCall(server, 'GET', `groups/${elsewhere}/coordinate-systems/`, reader)).status, 404);
    assert.equal((await metadataCall(server, 'DELETE', `groups/${survey}/coordinate-systems/2154/`, editor)).status, 204);
    assert.equal((await metadataCall(server, 'DELETE', `groups/${survey}/coordinate-systems/2154/`, editor)).status, 404);
  });

  it('refuse bad input with JSON objects naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...sdkContact, email: 'not an address' }, 'body.email'],
      [{ ...sdkContact, countryCode: 'France' }, 'body.country_code'],
      [{ addressLine1: 'Nowhere' }, 'body.name'],
      [{ ...sdkContact, nickname: 'x' }, 'body'],
      [{ ...sdkContact, name: 5 }, 'body.name'],
    ];
    for (const [body, location] of cases) {
      const res = await metadataCall(server, 'POST', `groups/${survey}/contacts/`, editor, body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(Array.isArray(res.body), false);
      assert.ok(res.body.errors.some((e: { location: string }) => e.location.startsWith(location)), `${location} in ${res.text}`);
    }
  });
});
