/**
 * Workgroups' catalogs over the Metadata API, with the Isogeo SDK's request shapes:
 * `catalog.create` posts a form (code, name, `$scan=True|False`) and needs `$scan` in the
 * answer; records go in and out with PUT and DELETE `catalogs/{cat}/resources/{md}/` (a DELETE
 * of one not in it is a 404); a scan catalog takes the records of the workgroup's new layers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertKeysWithin, metadataCall, surveyPeople, wireTime } from './helpers/metadata.js';
import { datasourceFor, importedLayer, uploadDatasources, writePointGrid } from './helpers/published-layers.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const catalogKeys = ['_abilities', '_created', '_id', '_modified', '_tag', 'code', 'count', 'name', 'owner', '$scan'];

describe("Metadata API: workgroups' catalogs", () => {
  let server: TestServer;
  let survey: string;
  let elsewhere: string;
  let surveyId: number;
  let editor: string;
  let reader: string;
  let outsider: string;

  before(async () => {
    server = await startTestServer();
    ({ surveyId, survey, elsewhere, editor, reader, outsider } = await surveyPeople(server));
  });
  after(() => server.close());

  const form = (bearer: string, path: string, fields: Record<string, string>) =>
    server.request('POST', `/metadata/v1/${path}`, { token: null, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/x-www-form-urlencoded' }, raw: new URLSearchParams(fields).toString() });
  const record = async (title: string) =>
    (await metadataCall(server, 'POST', `groups/${survey}/resources/`, editor, { type: 'resource', title, abstract: null, series: null })).body._id as string;

  it('are created from the SDK form, answered with $scan, listed, read, changed and deleted', async () => {
    const created = await form(editor, `groups/${survey}/catalogs/`, { code: 'open-data', name: 'Open data', $scan: 'False' });
    assert.equal(created.status, 201, created.text);
    assertKeysWithin(created.body, catalogKeys, 'a catalog');
    assert.equal(created.body.$scan, false);
    assert.equal(created.body.code, 'open-data');
    assert.equal(created.body.owner._id, survey);
    assert.match(created.body._created, wireTime);
    assert.equal((await form(editor, `groups/${survey}/catalogs/`, { code: 'open-data', name: 'Again', $scan: 'False' })).status, 409);
    assert.equal((await form(editor, `groups/${survey}/catalogs/`, { code: 'Not a code!', name: 'x' })).body.errors[0].location, 'body.code');
    assert.equal((await form(reader, `groups/${survey}/catalogs/`, { code: 'mine', name: 'Mine' })).status, 403);
    assert.equal((await form(outsider, `groups/${survey}/catalogs/`, { code: 'mine', name: 'Mine' })).status, 404);

    const listed = await metadataCall(server, 'GET', `groups/${survey}/catalogs/`, reader);
    assert.deepEqual(listed.body.map((c: { _id: string }) => c._id), [created.body._id]);
    const one = await metadataCall(server, 'GET', `groups/${survey}/catalogs/${created.body._id}/?_include=_abilities,count`, editor);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.count, 0);
    assert.deepEqual(one.body._abilities, ['catalog:update', 'catalog:delete']);
    assert.equal((await metadataCall(server, 'GET', `groups/${elsewhere}/catalogs/${created.body._id}/`, outsider)).status, 404);
    assert.deepEqual((await metadataCall(server, 'GET', `groups/${elsewhere}/catalogs/`, outsider)).body, []);

    const changed = await metadataCall(server, 'PUT', `groups/${survey}/catalogs/${created.body._id}/`, editor, { ...one.body, name: 'Open data (2024)', $scan: true });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual([changed.body.name, changed.body.$scan], ['Open data (2024)', true]);
    assert.equal((await metadataCall(server, 'DELETE', `groups/${survey}/catalogs/${created.body._id}/`, editor)).status, 204);
    assert.equal((await metadataCall(server, 'GET', `groups/${survey}/catalogs/${created.body._id}/`, editor)).status, 404);
  });

  it('hold records: put in (twice is fine), listed by record and counted, taken out (404 when not in)', async () => {
    const catalog = (await form(editor, `groups/${survey}/catalogs/`, { code: 'maps', name: 'Maps', $scan: 'False' })).body;
    const md = await record('A map');
    assert.equal((await metadataCall(server, 'PUT', `catalogs/${catalog._id}/resources/${md}/`, editor)).status, 204);
    assert.equal((await metadataCall(server, 'PUT', `catalogs/${catalog._id}/resources/${md}/`, editor)).status, 204);
    const of = await metadataCall(server, 'GET', `resources/${md}/catalogs//`, reader);
    assert.equal(of.status, 200, of.text);
    assert.deepEqual(of.body.map((c: { _id: string }) => c._id), [catalog._id]);
    for (const c of of.body) assertKeysWithin(c, catalogKeys, 'a catalog of a record');
    assert.equal((await metadataCall(server, 'GET', `groups/${survey}/catalogs/?_include=count`, reader)).body.find((c: { _id: string }) => c._id === catalog._id).count, 1);
    assert.equal((await metadataCall(server, 'PUT', `catalogs/${catalog._id}/resources/${md}/`, reader)).status, 403);

    const foreign = (await metadataCall(server, 'POST', `groups/${elsewhere}/resources/`, outsider, { type: 'resource', title: 'Theirs' })).body._id;
    assert.equal((await metadataCall(server, 'PUT', `catalogs/${catalog._id}/resources/${foreign}/`, editor)).status, 404, "another workgroup's record");
    assert.equal((await metadataCall(server, 'PUT', `catalogs/${catalog._id}/resources/${md}/`, outsider)).status, 404, "another workgroup's catalog");

    assert.equal((await metadataCall(server, 'DELETE', `catalogs/${catalog._id}/resources/${md}/`, editor)).status, 204);
    assert.equal((await metadataCall(server, 'DELETE', `catalogs/${catalog._id}/resources/${md}/`, editor)).status, 404, 'not in it any more');
    assert.deepEqual((await metadataCall(server, 'GET', `resources/${md}/catalogs/`, reader)).body, []);
  });

  it("takes the record of every new layer into the workgroup's scan catalogs", async () => {
    const scan = (await form(editor, `groups/${survey}/catalogs/`, { code: 'scanned', name: 'Everything loaded', $scan: 'True' })).body;
    assert.equal(scan.$scan, true);
    const dir = mkdtempSync(join(tmpdir(), 'mapshelf-catalogs-'));
    const datasources = await uploadDatasources(server, 'Points', writePointGrid(dir, { columns: 3, rows: 3 }), { group: surveyId });
    const layer = await importedLayer(server, 'layers', { title: 'Scanned points', group: surveyId, data: { datasources: [datasourceFor(datasources, 'grid').id] } });
    const uid = (await server.running.store.layers.findLayer(layer.id))!.uid;
    const of = (await metadataCall(server, 'GET', `resources/${uid}/catalogs/`, editor)).body;
    assert.deepEqual(of.map((c: { _id: string }) => c._id), [scan._id]);
  });
});
