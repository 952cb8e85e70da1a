/**
 * Seed 001's quick start, step by step, with @mapshelf/sdk: connect, upload a dataset, create
 * and publish a layer, query the catalog, update the layer, and export it as a zip.
 *
 *   MAPSHELF_URL=http://127.0.0.1:8080 MAPSHELF_TOKEN=... node --import tsx examples/quickstart.ts roads.gpkg
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Export, InvalidTokenScope, Layer, LayerData, Publish, UploadSource } from '../src/index.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: quickstart.ts <dataset file, e.g. roads.gpkg>');
  process.exit(2);
}

// 1. A client for the site; the token comes from MAPSHELF_TOKEN.
const client = new Client({ baseUrl: process.env.MAPSHELF_URL ?? 'http://127.0.0.1:8080' });
console.log(`signed in as ${(await client.users.me()).username}`);

// 2. Upload the file as a source, with upload progress, and wait for its scan.
const source = await client.sources.create(new UploadSource({ title: 'Quick start' }).addFile(file), {
  onUploadProgress: (sent, total) => console.log(`uploaded ${sent} of ${total} bytes`),
});
const scan = await client.sources.waitForScan(source.id);
console.log(`scan ${scan.status}`);
const datasource = await client.sources.listDatasources(source.id).filter({ data_type: 'vector' }).first();
if (!datasource) throw new Error(`${file} holds no vector data`);

// 3. Create a layer from the datasource, wait for its import, and publish it.
const draft = await client.layers.create(new Layer({ title: 'Quick start roads', data: new LayerData({ datasources: [datasource.id] }) }));
await draft.waitForImport({ onProgress: (fraction) => console.log(`import ${Math.round(fraction * 100)}%`) });
const publish = new Publish();
publish.addLayerItem(draft);
publish.strategy = Publish.STRATEGY_TOGETHER;
console.log(`publish ${(await (await client.publishing.create(publish)).waitUntilDone()).state}`);

// 4. Query: the layer list, a filtered and ordered catalog, counts and limits.
for await (const layer of client.layers.list().limit(5)) console.log(`layer ${layer.id}: ${layer.title}`);
const recent = client.catalog.list().filter({ type: 'layer' }).orderBy('-created_at');
console.log(`${await recent.count()} layers in the catalog`);
const layer = await client.layers.get(draft.id);
console.log(`CRS ${layer.data.crs}, ${layer.data.feature_count} features`);

// 5. Update: import the datasource again as a new version, then publish that.
const next = await layer.startUpdate();
await next.waitForImport();
await next.publish();
console.log(`versions: ${(await layer.listVersions().expand().toArray()).map((v) => v.version.number).join(', ')}`);

// 6. Export it as a zipped Shapefile in EPSG:2193, and download it.
const request = new Export({ crs: 'EPSG:2193', formats: { vector: 'application/x-zipped-shp' } }).addItem(layer);
const check = await client.exports.validate(request);
console.log(`export valid: ${check.is_valid}, about ${check.size_estimate_zipped} bytes`);
const job = await client.exports.create(request);
await job.waitUntilComplete({ onProgress: (fraction) => console.log(`export ${Math.round(fraction * 100)}%`) });
const saved = await job.download(mkdtempSync(join(tmpdir(), 'quickstart-')), { onProgress: (received, total) => console.log(`downloaded ${received} of ${total}`) });
console.log(`saved ${saved}`);

// 7. Errors are typed: a token without a scope raises InvalidTokenScope.
const reader = await client.tokens.create({ name: 'quick start reader', scope: 'catalog' });
try {
  await new Client({ baseUrl: client.baseUrl, token: reader.key! }).layers.list().first();
} catch (error) {
  if (error instanceof InvalidTokenScope) console.log(`as expected, the reader token lacks ${error.requiredScopes.join(' or ')}`);
  else throw error;
} finally {
  await client.tokens.revoke(reader.id);
}
