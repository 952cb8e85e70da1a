// Case 3: the 10m country polygons of Natural Earth (world-atlas, an npm package) clipped to a
// complex star-shaped polygon over Europe and reprojected to EPSG:3035, vs ogr2ogr -clipsrc + zip.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { polygon } from '../data.mjs';
import { alternate } from '../lib.mjs';
import { clientFor, exportLayer, publishedLayer, versionFileOf } from '../mapshelf.mjs';
import { comparison } from '../report.mjs';
import { formats, referenceExportTo } from './export-points.mjs';

/** 720 vertices (the API takes up to 1,000), alternating in and out by 15%. */
const crop = polygon({ center: [15, 50], radius: [20, 12], sides: 720, wobble: 0.15 });
const resolution = { smoke: '110m', quick: '10m', full: '10m' };

export default {
  id: 'export-countries',
  title: 'Export the 10m country polygons, clipped to a 720-vertex polygon, EPSG:3035, vs ogr2ogr -t_srs -clipsrc + zip',
  target: 'ratio ≤ 1.2',
  async run(ctx) {
    const scale = ctx.args.resolution ?? resolution[ctx.mode];
    const topojson = createRequire(import.meta.url).resolve(`world-atlas/countries-${scale}.json`);
    const gpkg = join(ctx.dir, 'countries.gpkg');
    execFileSync('ogr2ogr', ['-f', 'GPKG', gpkg, topojson, 'countries', '-nln', 'countries', '-nlt', 'MULTIPOLYGON', '-a_srs', 'EPSG:4326']);
    const server = await ctx.server();
    const client = clientFor(server, ctx.token);
    const layer = await publishedLayer(client, gpkg, 'Countries');
    const versionFile = versionFileOf(server, layer);
    const rows = [];
    for (const key of ['gpkg', 'shp']) {
      const format = formats[key];
      server.rss.take();
      const times = await alternate(
        ctx.runs,
        () => exportLayer(client, layer, { crs: 'EPSG:3035', formats: { vector: format.mimetype }, extent: crop.geojson }),
        (run) => referenceExportTo(ctx.dir, versionFile, format, `reference-${key}-${run}`, { crs: 'EPSG:3035', clip: crop.wkt }),
        ctx.log,
      );
      rows.push(comparison(`${scale} countries to ${key.toUpperCase()}`, times, { ratioMax: 1.2, rss: server.rss.take() }));
    }
    return rows;
  },
};
