/** Messages users see name upload paths and paths in the data folder, never the data folder itself. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { withoutServerPaths } from '../src/domain/data-paths.js';

it('takes the data folder, scratch folders and source folders out of a message', () => {
  const data = '/srv/mapshelf-data';
  assert.equal(withoutServerPaths("FAILURE: Unable to open datasource `/srv/mapshelf-data/layers/3/v1.gpkg' with the following drivers.", data), "FAILURE: Unable to open datasource `layers/3/v1.gpkg' with the following drivers.");
  assert.equal(withoutServerPaths("EEXIST: file already exists, open '/srv/mapshelf-data/tmp/upload-MsKhGN/dup/a.csv'", data), "EEXIST: file already exists, open 'dup/a.csv'");
  assert.equal(withoutServerPaths('/srv/mapshelf-data/sources/12/roads/roads.shp: not a Shapefile', data), 'roads/roads.shp: not a Shapefile');
  assert.equal(withoutServerPaths('/srv/mapshelf-data/tmp/export-4-abc/content/roads/roads.shp and /srv/mapshelf-data/catalog.sqlite', data), 'content/roads/roads.shp and catalog.sqlite');
  assert.equal(withoutServerPaths('no path at all', data), 'no path at all');
});
