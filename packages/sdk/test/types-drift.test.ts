/**
 * The SDK's model types must not drift from the server: every field a model declares as always
 * there (not optional) must be in what the server really sends for it. The declarations are read
 * from the SDK's source with the TypeScript compiler; the answers come from a running server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import ts from 'typescript';
import { Client, Export, Publish } from '../src/index.js';
import { adminToken, startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { datasourceFor, ogr2ogr, publishedLayer, uploadDatasources } from '../../server/test/helpers/published-layers.js';
import { packagedData } from '../../server/test/helpers/uploads.js';

const sourceDir = new URL('../src/resources/', import.meta.url).pathname;

/** For each exported interface or class: the names of its fields that are not optional. */
function requiredFields(): Map<string, string[]> {
  const models = new Map<string, string[]>();
  for (const file of readdirSync(sourceDir)) {
    const source = ts.createSourceFile(file, readFileSync(join(sourceDir, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    source.forEachChild((node) => {
      if (!(ts.isInterfaceDeclaration(node) || ts.isClassDeclaration(node)) || !node.name) return;
      const fields = node.members.flatMap((member) => {
        if (!(ts.isPropertySignature(member) || ts.isPropertyDeclaration(member)) || member.questionToken || !ts.isIdentifier(member.name)) return [];
        const hidden = ts.canHaveModifiers(member) && ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.StaticKeyword);
        return hidden ? [] : [member.name.text];
      });
      models.set(node.name.text, fields);
    });
  }
  return models;
}

let server: TestServer;
let work: string;
const samples = new Map<string, Record<string, unknown>>();

before(async () => {
  server = await startTestServer();
  work = mkdtempSync(join(tmpdir(), 'mapshelf-drift-'));
  const client = new Client({ baseUrl: server.url, token: adminToken });
  const get = (path: string) => client.json<any>('GET', path);
  const gpkg = join(work, 'countries.gpkg');
  ogr2ogr(['-f', 'GPKG', gpkg, packagedData('world-atlas/countries-110m.json'), 'countries', '-where', "name IN ('New Zealand', 'Australia')", '-nln', 'countries', '-nlt', 'MULTIPOLYGON', '-a_srs', 'EPSG:4326']);
  const datasources = await uploadDatasources(server, 'Countries', gpkg);
  const layer = await publishedLayer(server, 'layers', { title: 'Tasman Countries', data: { datasources: [datasourceFor(datasources, 'countries').id] } });
  const full = await get(`layers/${layer.id}/`);
  const source = (await client.sources.list().first())!;
  const scan = (await client.sources.listScans(source.id).first())!;
  const set = await client.sets.create({ title: 'Atlas', items: [layer.url] });
  const publishing = await (await client.publishing.create(new Publish().addSetItem(set))).waitUntilDone();
  const job = await (await client.exports.create(new Export({ crs: 'EPSG:2193', formats: { vector: 'application/x-ogc-gpkg' } }).addItem(layer))).waitUntilComplete({ intervalMs: 100 });
  const crop = await client.json<any>('POST', 'exports/croplayers/', { body: { name: 'Countries', source_layer: layer.url, name_field: 'name' } });
  const feature = (await client.exports.croplayers.listFeatures(crop.id).first())!;
  const document = await client.documents.create({ title: 'Notes' }, new Blob(['field notes\n']), 'notes.txt');
  await client.layers.permissions(layer.id).create({ id: 'group.everyone', permission: 'view' });
  const group = await client.groups.create({ name: 'Surveyors' });
  const me = await client.users.me();
  await client.groups.addMember(group.id, me.id, 'editor');
  const token = await client.tokens.create({ name: 'drift', scope: 'layers:read' });
  const entries: Array<[string, unknown]> = [
    ['Layer', full],
    ['VersionInfo', full.version],
    ['LayerData', full.data],
    ['CatalogItem', (await get('data/'))[0]],
    ['License', (await get('licenses/'))[0]],
    ['Source', await get(`sources/${source.id}/`)],
    ['Scan', await get(`sources/${source.id}/scans/${scan.id}/`)],
    ['Datasource', await get(`sources/${source.id}/datasources/${datasourceFor(datasources, 'countries').id}/`)],
    ['LayerSet', await get(`sets/${set.id}/`)],
    ['PublishRequest', await get(`publish/${publishing.id}/`)],
    ['ExportJob', await get(`exports/${job.id}/`)],
    ['ExportValidation', await client.exports.validate(new Export({ crs: 'EPSG:2193', formats: { vector: 'application/x-ogc-gpkg' } }).addItem(layer))],
    ['CropLayer', await get(`exports/croplayers/${crop.id}/`)],
    ['CropFeature', await get(`exports/croplayers/${crop.id}/cropfeatures/${feature.id}/`)],
    ['Document', await get(`documents/${document.id}/`)],
    ['Permission', (await get(`layers/${layer.id}/permissions/`))[0]],
    ['User', await get('users/me/')],
    ['Group', await get(`groups/${group.id}/`)],
    ['GroupMember', (await get(`groups/${group.id}/members/`))[0]],
    ['Token', await get(`tokens/${token.id}/`)],
  ];
  for (const [name, body] of entries) samples.set(name, body as Record<string, unknown>);
});

after(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

it('declares only fields the server sends, for every model', () => {
  const declared = requiredFields();
  const problems: string[] = [];
  for (const [model, body] of samples) {
    const fields = declared.get(model);
    assert.ok(fields, `the SDK declares no model named ${model}`);
    assert.ok(body && typeof body === 'object', `${model}: the server sent ${JSON.stringify(body)}`);
    for (const field of fields) if (!(field in body)) problems.push(`${model}.${field} is declared, but the server's ${model} has only ${Object.keys(body).join(', ')}`);
  }
  assert.deepEqual(problems, []);
});
