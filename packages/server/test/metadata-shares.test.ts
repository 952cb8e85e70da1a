/**
 * Shares over the Metadata API, as the Isogeo SDK uses them: a group application's first call
 * is `GET /shares/`, whose first share's first application it reads; what a share of type
 * `application` opens (its catalogs' records) is all a client-credentials token reads; a share
 * of type `group` opens catalogs to other workgroups, read-only; a refreshed link token replaces
 * the old one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertKeysWithin, metadataCall, surveyPeople, wireKeys, type SurveyPeople } from './helpers/metadata.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const shareKeys = ['_created', '_creator', '_id', '_modified', 'applications', 'catalogs', 'groups', 'name', 'rights', 'type', 'urlToken'];

describe('Metadata API: shares', () => {
  let server: TestServer;
  let people: SurveyPeople;
  let catalog: string;
  let inside: string;
  let outside: string;
  let appId: string;

  before(async () => {
    server = await startTestServer();
    people = await surveyPeople(server);
    const { survey, editor } = people;
    const record = async (title: string) => (await metadataCall(server, 'POST', `groups/${survey}/resources/`, editor, { type: 'resource', title })).body._id as string;
    [inside, outside] = [await record('Shared map'), await record('Internal map')];
    catalog = (await metadataCall(server, 'POST', `groups/${survey}/catalogs/`, editor, { code: 'public', name: 'Public', $scan: false })).body._id;
    assert.equal((await metadataCall(server, 'PUT', `catalogs/${catalog}/resources/${inside}/`, editor)).status, 204);
    appId = (await metadataCall(server, 'GET', `groups/${survey}/applications/`, editor)).body.find((a: { type: string }) => a.type === 'group')._id;
  });
  after(() => server.close());

  it("opens a catalog to a group application: GET /shares/ as connect() reads it, and the catalog's records alone", async () => {
    const { survey, editor, app } = people;
    assert.equal((await metadataCall(server, 'GET', `resources/${inside}/`, app)).status, 404, 'nothing is shared yet');
    const created = await metadataCall(server, 'POST', `groups/${survey}/shares/`, editor, { name: 'For the viewer app', rights: [], type: 'application' });
    assert.equal(created.status, 201, created.text);
    assertKeysWithin(created.body, shareKeys, 'a share');
    assert.match(created.body.urlToken, /^[0-9a-f]{32}$/);
    const share = created.body._id;
    assert.equal((await metadataCall(server, 'PUT', `shares/${share}/catalogs/${catalog}/`, editor)).status, 204);
    assert.equal((await metadataCall(server, 'PUT', `shares/${share}/applications/${appId}/`, editor)).status, 204);

    const shares = await metadataCall(server, 'GET', 'shares/', app);
    assert.equal(shares.status, 200, shares.text);
    assert.deepEqual(shares.body.map((s: { _id: string }) => s._id), [share]);
    assertKeysWithin(shares.body[0], shareKeys, 'a share');
    assertKeysWithin(shares.body[0].applications[0], wireKeys.application, "the share's first application");
    assert.equal(shares.body[0].applications[0]._id, appId);
    assert.deepEqual(shares.body[0].catalogs.map((c: { _id: string }) => c._id), [catalog]);
    assert.equal(shares.body[0].urlToken, null, 'the link token is its workgroup’s to see');

    assert.equal((await metadataCall(server, 'GET', `resources/${inside}/?_include=all`, app)).status, 200);
    assert.equal((await metadataCall(server, 'GET', `resources/${outside}/`, app)).status, 404, 'a record in no shared catalog');
    assert.equal((await metadataCall(server, 'PATCH', `resources/${inside}/`, app, { type: 'resource', title: 'x' })).status, 403, 'read-only');
    assert.deepEqual((await metadataCall(server, 'GET', `catalogs/${catalog}/shares/`, editor)).body.map((s: { _id: string }) => s._id), [share]);

    assert.equal((await metadataCall(server, 'DELETE', `shares/${share}/catalogs/${catalog}/`, editor)).status, 204);
    assert.equal((await metadataCall(server, 'GET', `resources/${inside}/`, app)).status, 404, 'no longer shared');
    assert.equal((await metadataCall(server, 'DELETE', `shares/${share}/catalogs/${catalog}/`, editor)).status, 404);
    assert.equal((await metadataCall(server, 'DELETE', `shares/${share}/`, editor)).status, 204);
    assert.equal((await metadataCall(server, 'GET', `shares/${share}/`, editor)).status, 404);
  });

  it('opens a catalog to another workgroup, read-only; a refreshed token replaces the old one', async () => {
    const { survey, elsewhere, editor, outsider, reader } = people;
    assert.equal((await metadataCall(server, 'GET', `resources/${inside}/`, outsider)).status, 404);
    const share = (await metadataCall(server, 'POST', `groups/${survey}/shares/`, editor, { name: 'For Elsewhere', rights: ['reshare'], type: 'group' })).body;
    assert.equal((await metadataCall(server, 'PUT', `shares/${share._id}/catalogs/${catalog}/`, editor)).status, 204);
    assert.equal((await metadataCall(server, 'PUT', `shares/${share._id}/groups/${elsewhere}/`, editor)).status, 204);
    assert.equal((await metadataCall(server, 'PUT', `shares/${share._id}/catalogs/${catalog}/`, reader)).status, 403, 'a reader makes no shares');

    const read = await metadataCall(server, 'GET', `resources/${inside}/?_include=_abilities`, outsider);
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body._abilities, ['resource:read']);
    assert.equal((await metadataCall(server, 'PATCH', `resources/${inside}/`, outsider, { type: 'resource', title: 'Mine now' })).status, 403);
    assert.equal((await metadataCall(server, 'GET', `resources/${outside}/`, outsider)).status, 404);
    const seen = await metadataCall(server, 'GET', `shares/${share._id}/?_include=_abilities,groups`, outsider);
    assert.equal(seen.status, 200, seen.text);
    assert.deepEqual(seen.body.groups.map((g: { _id: string }) => g._id), [elsewhere]);
    assert.ok((await metadataCall(server, 'GET', 'shares/', outsider)).body.some((s: { _id: string }) => s._id === share._id));

    const refreshed = await metadataCall(server, 'POST', `shares/${share._id}/refresh-token/`, editor);
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.match(refreshed.body.urlToken, /^[0-9a-f]{32}$/);
    assert.notEqual(refreshed.body.urlToken, share.urlToken);
    const renamed = await metadataCall(server, 'PUT', `shares/${share._id}/`, editor, { ...refreshed.body, name: 'For Elsewhere (2024)' });
    assert.equal(renamed.body.name, 'For Elsewhere (2024)');
    assert.equal((await metadataCall(server, 'DELETE', `shares/${share._id}/groups/${elsewhere}/`, editor)).status, 204);
    assert.equal((await metadataCall(server, 'GET', `resources/${inside}/`, outsider)).status, 404);
  });

  it("serves a share's link as HTML and JSON pages on the server root, until its token is refreshed", async () => {
    const { survey, editor } = people;
    const share = (await metadataCall(server, 'POST', `groups/${survey}/shares/`, editor, { name: 'Open catalog', type: 'application' })).body;
    assert.equal((await metadataCall(server, 'PUT', `shares/${share._id}/catalogs/${catalog}/`, editor)).status, 204);
    const contact = (await metadataCall(server, 'POST', `groups/${survey}/contacts/`, editor, { name: 'Map desk <maps>' })).body;
    await metadataCall(server, 'PUT', `resources/${inside}/contacts/${contact._id}/`, editor, { role: 'pointOfContact' });
    const link = `${server.url}/s/${share._id}/${share.urlToken}`;

    const list = await fetch(link);
    assert.equal(list.status, 200);
    assert.match(list.headers.get('content-type')!, /^text\/html/);
    const html = await list.text();
    assert.match(html, /<h1>Open catalog<\/h1>/);
    assert.ok(html.includes(`${link}/r/${inside}`), 'links each record');
    assert.ok(!html.includes('Internal map'), 'only what the share opens');
    const json = await (await fetch(`${link}?format=json`)).json();
    assert.deepEqual([json.total, json.results[0]._id, json.results[0].title], [1, inside, 'Shared map']);
    assert.equal((await (await fetch(link, { headers: { accept: 'application/json' } })).json()).total, 1);

    const record = await fetch(`${link}/r/${inside}`);
    assert.equal(record.status, 200);
    const recordHtml = await record.text();
    assert.ok(recordHtml.includes('Map desk &lt;maps&gt;'), 'escaped');
    assert.equal((await (await fetch(`${link}/r/${inside}?format=json`)).json()).contacts[0].contact.name, 'Map desk <maps>');
    assert.equal((await fetch(`${link}/r/${outside}`)).status, 404);

    const refreshed = (await metadataCall(server, 'POST', `shares/${share._id}/refresh-token/`, editor)).body;
    const old = await fetch(link);
    assert.equal(old.status, 404, 'the old link ends at once');
    assert.equal(typeof (await old.json()).detail, 'string');
    assert.equal((await fetch(`${server.url}/s/${share._id}/${refreshed.urlToken}`)).status, 200);
    assert.equal((await fetch(`${server.url}/s/${share._id}/${'0'.repeat(32)}`)).status, 404);
  });

  it('refuses what a share cannot be, with an object naming the field', async () => {
    const { survey, elsewhere, editor, outsider } = people;
    assert.equal((await metadataCall(server, 'POST', `groups/${survey}/shares/`, editor, { name: 'x', type: 'public' })).body.errors[0].location, 'body.type');
    assert.equal((await metadataCall(server, 'POST', `groups/${survey}/shares/`, editor, { name: 'x', type: 'group', rights: ['own'] })).body.errors[0].location, 'body.rights[0]');
    assert.equal((await metadataCall(server, 'POST', `groups/${survey}/shares/`, outsider, { name: 'x', type: 'group' })).status, 404);
    const share = (await metadataCall(server, 'POST', `groups/${survey}/shares/`, editor, { name: 'Apps', type: 'application' })).body._id;
    assert.equal((await metadataCall(server, 'PUT', `shares/${share}/groups/${elsewhere}/`, editor)).status, 400, 'workgroups go in group shares');
    const users = (await metadataCall(server, 'GET', 'applications/', people.admin)).body.find((a: { type: string }) => a.type === 'user')._id;
    assert.equal((await metadataCall(server, 'PUT', `shares/${share}/applications/${users}/`, editor)).status, 400, 'a user application reads as its users');
    const theirs = (await metadataCall(server, 'POST', `groups/${elsewhere}/catalogs/`, outsider, { code: 'theirs', name: 'Theirs' })).body._id;
    assert.equal((await metadataCall(server, 'PUT', `shares/${share}/catalogs/${theirs}/`, editor)).status, 404, "another workgroup's catalog");
  });
});
