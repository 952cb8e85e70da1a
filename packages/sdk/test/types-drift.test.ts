/**
 * The SDK's model types must not drift from the server, in either direction: every field a model
 * declares as always there (not optional) must be in what the server really sends for it, and
 * every field the server sends must be declared. That holds for single items and for what list
 * queries yield, as summaries and expanded (`Expand: list`). The declarations are read from the
 * SDK's source with the TypeScript compiler; the answers come from a running server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import ts from 'typescript';
import { Client, Export, Publish, Query } from '../src/index.js';
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
/**
 * Real answers (or what the SDK made of them), each with where it came from and the models it should
 * match: usually one, but an expanded catalog entry is both a `CatalogItem` and its item's own model.
 */
const samples: Array<[models: string[], body: Record<string, unknown>, from: string]> = [];
/** Models held in fields of others, checked with them: a layer's `version` is a `VersionInfo`, ... */
const nestedModels: Record<string, Record<string, string>> = {
  Layer: { version: 'VersionInfo', data: 'LayerData' },
  LayerSet: { version: 'SetVersionInfo' },
};
/** The model of each catalog item type. */
const itemModels: Record<string, string> = { layer: 'Layer', table: 'Layer', set: 'LayerSet', document: 'Document' };

function addSample(models: string[], body: Record<string, unknown>, from: string): void {
  samples.push([models, body, from]);
  for (const model of models) {
    for (const [field, inner] of Object.entries(nestedModels[model] ?? {})) if (body?.[field] !== undefined) addSample([inner], body[field] as Record<string, unknown>, `${from}, its ${field}`);
  }
}

/** The fields a body holds: an SDK object also has its class's unset fields, as undefined. */
const heldFields = (body: Record<string, unknown>) => Object.keys(body).filter((field) => body[field] !== undefined);

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
  await client.sets.createDraft(set.id);
  await (await client.layers.startUpdate(layer.id)).waitForImport({ intervalMs: 100 });
  const entries: Array<[string, unknown]> = [
    ['Layer', full],
    ['License', await get(`licenses/${(await client.licenses.list().first())!.id}/`)],
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
  for (const [name, body] of entries) addSample([name], body as Record<string, unknown>, 'its own route');
  // What list queries yield, as summaries and expanded: of each list, the first item of every `type` in it.
  const lists: Record<string, Record<string, Query<unknown>>> = {
    Layer: { 'layers.list()': client.layers.list(), 'tables.list()': client.tables.list(), 'layers.listDrafts()': client.layers.listDrafts(), 'layers.listVersions()': client.layers.listVersions(layer.id) },
    LayerSet: { 'sets.list()': client.sets.list(), 'sets.listDrafts()': client.sets.listDrafts(), 'sets.listVersions()': client.sets.listVersions(set.id) },
    CatalogItem: { 'catalog.list()': client.catalog.list(), 'catalog.listLatest()': client.catalog.listLatest() },
    License: { 'licenses.list()': client.licenses.list() },
    Source: { 'sources.list()': client.sources.list() },
    Scan: { 'sources.listScans()': client.sources.listScans(source.id) },
    Datasource: { 'sources.listDatasources()': client.sources.listDatasources(source.id) },
    PublishRequest: { 'publishing.list()': client.publishing.list() },
    ExportJob: { 'exports.list()': client.exports.list() },
    CropLayer: { 'exports.croplayers.list()': client.exports.croplayers.list() },
    CropFeature: { 'exports.croplayers.listFeatures()': client.exports.croplayers.listFeatures(crop.id) },
    Document: { 'documents.list()': client.documents.list() },
    User: { 'users.list()': client.users.list() },
    Group: { 'groups.list()': client.groups.list() },
    GroupMember: { 'groups.listMembers()': client.groups.listMembers(group.id) },
    Token: { 'tokens.list()': client.tokens.list() },
  };
  for (const [model, queries] of Object.entries(lists)) {
    for (const [name, query] of Object.entries(queries)) {
      for (const expand of [false, true]) {
        const items = (await (expand ? query.expand() : query).toArray()) as Array<Record<string, unknown>>;
        assert.ok(items.length > 0, `${name} yields nothing`);
        const firstOfEachType = items.filter((item, i) => items.findIndex((other) => other.type === item.type) === i);
        for (const item of firstOfEachType) {
          const models = expand && model === 'CatalogItem' ? [model, itemModels[item.type as string]!] : [model];
          addSample(models, item, `${name}${expand ? '.expand()' : ''}${item.type ? ` (${item.type})` : ''}`);
        }
      }
    }
  }
  const catalogTypes = new Set((await client.catalog.list().toArray()).map((item) => item.type));
  assert.deepEqual([...catalogTypes].sort(), ['document', 'layer', 'set', 'table'], 'the catalog holds an item of every type');
});

after(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function eachModel(check: (model: string, declared: DeclaredModel, body: Record<string, unknown>, from: string) => void): void {
  const declared = declaredModels();
  for (const [models, body, from] of samples) {
    const fields = models.map((model) => {
      const found = declared.get(model);
      assert.ok(found, `the SDK declares no model named ${model}`);
      return found;
    });
    assert.ok(body && typeof body === 'object', `${models.join(' & ')} from ${from}: the server sent ${JSON.stringify(body)}`);
    check(models.join(' & '), { required: fields.flatMap((f) => f.required), all: fields.flatMap((f) => f.all) }, body, from);
  }
}

it('declares as required only fields the server always sends, for every model', () => {
  const problems: string[] = [];
  eachModel((model, declared, body, from) => {
    for (const field of declared.required) if (body[field] === undefined) problems.push(`${model}.${field} is declared, but the one from ${from} has only ${heldFields(body).join(', ')}`);
  });
  assert.deepEqual(problems, []);
});

it('declares every field the server sends, for every model', () => {
  const problems: string[] = [];
  eachModel((model, declared, body, from) => {
    for (const field of heldFields(body)) if (!declared.all.includes(field)) problems.push(`${model}.${field} from ${from} (${JSON.stringify(body[field])?.slice(0, 60)})`);
  });
  assert.deepEqual(problems, []);
});
