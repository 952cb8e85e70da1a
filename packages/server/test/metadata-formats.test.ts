/**
 * Formats over the Metadata API, as the Isogeo SDK reads and updates them (`formats//`, then
 * `PUT formats/{code}/` with Format.to_dict()): seeded with what Mapshelf reads, writes and
 * serves, listed by type, kept by site admins.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertKeysWithin, metadataCall, surveyPeople, type SurveyPeople } from './helpers/metadata.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const formatKeys = ['_id', '_tag', 'aliases', 'code', 'name', 'type', 'versions'];

describe('Metadata API: formats', () => {
  let server: TestServer;
  let people: SurveyPeople;

  before(async () => {
    server = await startTestServer();
    people = await surveyPeople(server);
  });
  after(() => server.close());

  it('are seeded, listed whole and by type, and read by code, by anyone signed in', async () => {
    const all = await metadataCall(server, 'GET', 'formats//', people.app);
    assert.equal(all.status, 200, all.text);
    for (const format of all.body) assertKeysWithin(format, formatKeys, 'a format');
    const codes = all.body.map((f: { code: string }) => f.code);
    for (const code of ['shp', 'gpkg', 'geojson', 'csv', 'kml', 'wms', 'wfs']) assert.ok(codes.includes(code), code);
    const services = (await metadataCall(server, 'GET', 'formats/service/', people.reader)).body;
    assert.ok(services.length > 0 && services.every((f: { type: string }) => f.type === 'service'));
    const shp = await metadataCall(server, 'GET', 'formats/shp/', people.reader);
    assert.deepEqual([shp.body.name, shp.body._tag, shp.body.type], ['Esri Shapefile', 'format:shp', 'dataset']);
    assert.equal((await metadataCall(server, 'GET', 'formats/nothing/', people.reader)).status, 404);
  });

  it('are added, changed (as Format.to_dict() sends it) and deleted by site admins only', async () => {
    const { admin, editor } = people;
    const body = { code: 'sqlite', name: 'SQLite database', type: 'dataset', aliases: ['SpatiaLite'], versions: ['3'] };
    assert.equal((await metadataCall(server, 'POST', 'formats/', editor, body)).status, 403);
    const created = await metadataCall(server, 'POST', 'formats/', admin, body);
    assert.equal(created.status, 201, created.text);
    assert.equal((await metadataCall(server, 'POST', 'formats/', admin, body)).status, 409);
    assert.equal((await metadataCall(server, 'POST', 'formats/', admin, { ...body, code: 'service' })).body.errors[0].location, 'body.code');
    assert.equal((await metadataCall(server, 'POST', 'formats/', admin, { ...body, code: 'x', type: 'map' })).body.errors[0].location, 'body.type');
    const changed = await metadataCall(server, 'PUT', 'formats/sqlite/', admin, { ...created.body, versions: ['3', null], aliases: ['SpatiaLite', 'sqlite3'] });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual([changed.body.versions, changed.body.aliases], [['3'], ['SpatiaLite', 'sqlite3']]);
    assert.equal((await metadataCall(server, 'PUT', 'formats/sqlite/', editor, created.body)).status, 403);
    assert.equal((await metadataCall(server, 'DELETE', 'formats/sqlite/', admin)).status, 204);
    assert.equal((await metadataCall(server, 'GET', 'formats/sqlite/', admin)).status, 404);
  });
});
