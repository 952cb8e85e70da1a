import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { describeDataset, gdalInfo } from '../src/index.js';

// Smoke tests of the GDAL bridge on small real files, written here and converted by ogr2ogr.
describe('GDAL bridge', () => {
  let dir: string;
  const points = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { name: 'Wellington', pop: 215400, founded: '1840-01-22' }, geometry: { type: 'Point', coordinates: [174.7762, -41.2865] } },
      { type: 'Feature', properties: { name: 'Christchurch', pop: 389300, founded: '1848-03-31' }, geometry: { type: 'Point', coordinates: [172.6362, -43.5321] } },
      { type: 'Feature', properties: { name: 'Auckland', pop: 1693000, founded: '1840-09-18' }, geometry: { type: 'Point', coordinates: [174.7633, -36.8485] } },
    ],
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mapshelf-gdal-'));
    writeFileSync(join(dir, 'cities.geojson'), JSON.stringify(points));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('links the system GDAL', () => {
    const info = gdalInfo();
    assert.equal(info.bundled, false);
    assert.match(info.version, /^3\./);
    assert.ok(info.vectorDrivers > 20, `only ${info.vectorDrivers} vector drivers`);
  });

  it('describes a GeoJSON layer: count, fields, CRS and extent', async () => {
    const [layer, ...rest] = await describeDataset(join(dir, 'cities.geojson'));
    assert.equal(rest.length, 0);
    assert.equal(layer!.featureCount, 3);
    assert.equal(layer!.geometryType, 'Point');
    assert.equal(layer!.crs?.id, 'EPSG:4326');
    assert.deepEqual(
      layer!.fields.map((f) => f.name),
      ['name', 'pop', 'founded'],
    );
    const [minx, miny, maxx, maxy] = layer!.extent4326!;
    assert.ok(Math.abs(minx - 172.6362) < 1e-6 && Math.abs(maxx - 174.7762) < 1e-6, `x range ${minx}..${maxx}`);
    assert.ok(Math.abs(miny + 43.5321) < 1e-6 && Math.abs(maxy + 36.8485) < 1e-6, `y range ${miny}..${maxy}`);
  });

  it('reports the extent of a projected GeoPackage in lon/lat', async () => {
    const gpkg = join(dir, 'cities-2193.gpkg');
    execFileSync('ogr2ogr', ['-f', 'GPKG', '-t_srs', 'EPSG:2193', '-nln', 'cities', gpkg, join(dir, 'cities.geojson')]);
    const [layer] = await describeDataset(gpkg);
    assert.equal(layer!.crs?.id, 'EPSG:2193');
    assert.equal(layer!.featureCount, 3);
    const [minx, miny, maxx, maxy] = layer!.extent4326!;
    // Reprojection round trip: within a millionth of a degree.
    assert.ok(Math.abs(minx - 172.6362) < 1e-4 && Math.abs(maxy + 36.8485) < 1e-4, `extent ${layer!.extent4326}`);
    assert.ok(miny < maxy && minx < maxx);
  });

  it('reports a dataset without a CRS as such', async () => {
    const csv = join(dir, 'table.csv');
    writeFileSync(csv, 'id,label\n1,a\n2,b\n');
    const [layer] = await describeDataset(csv);
    assert.equal(layer!.crs, null);
    assert.equal(layer!.extent4326, null);
    assert.equal(layer!.featureCount, 2);
  });

  it('fails clearly on a file GDAL cannot read', async () => {
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, 'not geodata');
    await assert.rejects(describeDataset(junk));
  });
});
