/**
 * The catalog searches a sample of each layer's own text values (low-cardinality text fields,
 * read from the version's GeoPackage at import): `q=zealand` finds the world countries layer by
 * its "New Zealand" feature, below layers with the word in their title; values over the length
 * cap are not indexed; and a layer's values never show it to callers who can't view it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultTextValueLimits, sampleTextValues } from '../src/geo/text-values.js';
import { createUserWithToken, startTestServer, type TestServer } from './helpers/server.js';
import { ogr2ogr, publishedLayer, uploadDatasources } from './helpers/published-layers.js';
import { packagedData } from './helpers/uploads.js';

describe('catalog search of text values', () => {
  let server: TestServer;
  let work: string;
  let world: { id: number };
  let zealandTitled: { id: number };
  let outsider: { token: string };

  const search = async (q: string, token?: string | null) => {
    const res = await server.request('GET', `data/?q=${encodeURIComponent(q)}`, { token });
    assert.equal(res.status, 200, res.text);
    return (res.body as Array<{ id: number; title: string }>).map((r) => r.id);
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-text-values-'));
    // World countries, plus one feature whose name is over the 100-character cap.
    const geojson = join(work, 'countries.geojson');
    ogr2ogr(['-f', 'GeoJSON', '-a_srs', 'EPSG:4326', geojson, packagedData('world-atlas/countries-110m.json'), 'countries']);
    const collection = JSON.parse(readFileSync(geojson, 'utf8')) as { features: Array<{ properties: Record<string, unknown>; geometry: unknown }> };
    const long = `Quuxlongname ${'x'.repeat(defaultTextValueLimits.maxLength)}`;
    collection.features.push({ properties: { name: long }, geometry: collection.features[0]!.geometry });
    writeFileSync(geojson, JSON.stringify(collection));

    server = await startTestServer();
    const [countries] = await uploadDatasources(server, 'World', geojson);
    world = await publishedLayer(server, 'layers', { title: 'World countries', data: { datasources: [countries!.id] } });
    // A layer with the word in its title, from the same data under another name.
    zealandTitled = await publishedLayer(server, 'layers', { title: 'Zealand survey', data: { datasources: [countries!.id] } });
    outsider = await createUserWithToken(server, 'outsider', 'catalog layers:read');
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('finds the world countries layer by a feature name, below a title match', async () => {
    assert.deepEqual(await search('zealand'), [zealandTitled.id, world.id]);
    assert.deepEqual(await search('new zeal'), [zealandTitled.id, world.id], 'the last word is a prefix, as for titles');
    assert.deepEqual(await search('world zealand'), [world.id], 'title words and value words combine');
    assert.deepEqual((await search('burkina')).sort(), [world.id, zealandTitled.id].sort(), 'Burkina Faso: a value in both');
  });

  it('leaves out values over the length cap', async () => {
    assert.deepEqual(await search('quuxlongname'), []);
  });

  it('never shows a layer by its values to callers who cannot view it', async () => {
    assert.deepEqual(await search('zealand', outsider.token), []);
    assert.deepEqual(await search('zealand', null), []);
  });

  it('samples only low-cardinality text fields, within the caps', () => {
    const gpkg = join(work, 'sample.gpkg');
    const rows = Array.from({ length: 30 }, (_, i) => ({
      type: 'Feature',
      properties: { unique_code: `code-${i}`, kind: i % 2 ? 'road' : 'track', note: i % 3 ? 'a'.repeat(150) : 'short', count: i },
      geometry: { type: 'Point', coordinates: [i, 0] },
    }));
    const input = join(work, 'sample.geojson');
    writeFileSync(input, JSON.stringify({ type: 'FeatureCollection', features: rows }));
    ogr2ogr(['-f', 'GPKG', '-nln', 'data', gpkg, input]);
    const limits = { ...defaultTextValueLimits, maxDistinct: 10 };
    // unique_code has 30 distinct values (over 10): left out; count is not text.
    assert.deepEqual(sampleTextValues(gpkg, limits).sort(), ['road', 'short', 'track']);
    const all = sampleTextValues(gpkg, limits);
    assert.deepEqual(sampleTextValues(gpkg, { ...limits, maxValues: 2 }), all.slice(0, 2));
    // Each value costs its bytes and a separator: 6 bytes hold the first (4 or 5 letters) only.
    assert.deepEqual(sampleTextValues(gpkg, { ...limits, maxBytes: 6 }), all.slice(0, 1));
  });
});
