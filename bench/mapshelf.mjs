// The Mapshelf side of the cases, through the SDK: upload, import, publish, export.
import { join } from 'node:path';
import { Client, Export, Layer, LayerData, Publish, UploadSource } from '../packages/sdk/dist/index.js';

/** Polling this often keeps the timing error of a wait well under the noise. */
export const poll = { intervalMs: 20 };

export const clientFor = (server, token) => new Client({ baseUrl: server.url, token, timeout: 3_600_000 });

/** Uploads a file as a source and waits for its scan; its first datasource. */
export async function datasourceOf(client, file, title) {
  const source = await client.sources.create(new UploadSource({ title }).addFile(file));
  const scan = await client.sources.waitForScan(source.id, undefined, poll);
  if (scan.status !== 'completed') throw new Error(`the scan of ${file} ended ${scan.status}`);
  const [datasource] = await client.sources.listDatasources(source.id).toArray();
  return datasource;
}

/** Creates a layer from a datasource and waits for its import. */
export async function importLayer(client, datasource, title) {
  const draft = await client.layers.create(new Layer({ title, data: new LayerData({ datasources: [datasource.id] }) }));
  return draft.waitForImport(poll);
}

/** Uploads, imports and publishes a file as a layer; the published layer. */
export async function publishedLayer(client, file, title) {
  const draft = await importLayer(client, await datasourceOf(client, file, title), title);
  const request = await (await client.publishing.create(new Publish().addLayerItem(draft))).waitUntilDone(poll);
  if (request.state !== 'completed') throw new Error(`publishing ${title} ended ${request.state}`);
  return draft.refresh();
}

/** The GeoPackage a published layer's version is kept in, which exports read: the reference reads it too. */
export const versionFileOf = (server, layer) => join(server.dataDir, 'layers', String(layer.id), `v${layer.version.number}.gpkg`);

/** Creates an export and waits until its zip is in place; the finished export. */
export async function exportLayer(client, layer, fields) {
  const job = await client.exports.create(new Export(fields).addItem(layer));
  return job.waitUntilComplete(poll);
}
