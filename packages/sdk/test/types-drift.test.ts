/**
 * The SDK's model types must not drift from the server, in either direction: every field a model
 * declares as always there (not optional) must be in what the server really sends for it, and
 * every field the server sends must be declared. The declarations are read from the SDK's source
 * with the TypeScript compiler; the answers come from a running server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import ts from 'typescript';
import { Client, Export, Publish } from '../src/index.js';
import { adminToken, startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { datasourceFor, ogr2ogr, publishedLayer, uploadDatasources } from '../../server/test/helpers/published-layers.js';
import { packagedData } from '../../server/test/helpers/uploads.js';

const sourceDir = new URL('../src/resources/', import.meta.url).pathname;

interface DeclaredModel {
  /** Fields without `?`. */
  required: string[];
  /** Every field, optional or not. */
  all: string[];
}

/** For each exported interface or class: its public fields, and which of them are not optional. */
function declaredModels(): Map<string, DeclaredModel> {
  const models = new Map<string, DeclaredModel>();
  for (const file of readdirSync(sourceDir)) {
    const source = ts.createSourceFile(file, readFileSync(join(sourceDir, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    source.forEachChild((node) => {
      if (!(ts.isInterfaceDeclaration(node) || ts.isClassDeclaration(node)) || !node.name) return;
      const fields = node.members.flatMap((member) => {
        if (!(ts.isPropertySignature(member) || ts.isPropertyDeclaration(member)) || !ts.isIdentifier(member.name)) return [];
        const hidden = ts.canHaveModifiers(member) && ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.StaticKeyword);
        return hidden ? [] : [{ name: member.name.text, optional: Boolean(member.questionToken) }];
      });
      models.set(node.name.text, { required: fields.filter((f) => !f.optional).map((f) => f.name), all: fields.map((f) => f.name) });
    });
  }
  return models;
}

let server: TestServer;
let work: string;
/** Real answers, each with the model it should match; a model can have several (one per catalog item type). */
const samples: Array<[model: string, body: Record<string, unknown>]> = [];

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
  const csv = join(work, 'readings.csv');
  writeFileSync(csv, 'station,reading\nST0001,0.37\nST0002,0.74\n');
  await publishedLayer(server, 'tables', { title: 'Readings', data: { datasources: [(await uploadDatasources(server, 'Readings', csv))[0]!.id] } });
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
  const catalog: Array<Record<string, unknown>> = await get('data/');
  const catalogItem = (type: string) => {
    const item = catalog.find((entry) => entry.type === type);
    assert.ok(item, `the catalog has no ${type}: ${JSON.stringify(catalog)}`);
    return item;
  };
  const entries: Array<[string, unknown]> = [
    ['Layer', full],
    ['VersionInfo', full.version],
    ['LayerData', full.data],
    ...['layer', 'table', 'set', 'document'].map((type): [string, unknown] => ['CatalogItem', catalogItem(type)]),
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
  for (const [name, body] of entries) samples.push([name, body as Record<string, unknown>]);
});

after(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function eachModel(check: (model: string, declared: DeclaredModel, body: Record<string, unknown>) => void): void {
  const declared = declaredModels();
  for (const [model, body] of samples) {
    const fields = declared.get(model);
    assert.ok(fields, `the SDK declares no model named ${model}`);
    assert.ok(body && typeof body === 'object', `${model}: the server sent ${JSON.stringify(body)}`);
    check(model, fields, body);
  }
}

it('declares as required only fields the server always sends, for every model', () => {
  const problems: string[] = [];
  eachModel((model, declared, body) => {
    for (const field of declared.required) if (!(field in body)) problems.push(`${model}.${field} is declared, but the server's ${model} has only ${Object.keys(body).join(', ')}`);
  });
  assert.deepEqual(problems, []);
});

it('declares every field the server sends, for every model', () => {
  const problems: string[] = [];
  eachModel((model, declared, body) => {
    for (const field of Object.keys(body)) if (!declared.all.includes(field)) problems.push(`${model}.${field} (${JSON.stringify(body[field])?.slice(0, 60)})`);
  });
  assert.deepEqual(problems, []);
});
