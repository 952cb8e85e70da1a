// Case 3: the 10m country polygons of Natural Earth (world-atlas, an npm package) clipped to a
// complex star-shaped polygon over Europe and reprojected to EPSG:3035, vs ogr2ogr -clipsrc + zip.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { polygon } from '../data.mjs';
import { alternate } from '../lib.mjs';
import { clientFor, exportLayer, publishedLayer, versionFileOf } from '../mapshelf.mjs';
import { comparison } from '../report.mjs';
import { formats, referenceExportTo } from './export-points.mjs';

/** 720 vertices (the API takes up to 1,000), alternating in and out by 15%. */
const crop = polygon({ center: [15, 50], radius: [20, 12], sides: 720, wobble: 0.15 });
const resolution = { smoke: '110m', quick: '10m', full: '10m' };

/** The features in a folder or zip of one layer, by ogrinfo. */
function featureCount(path) {
  const out = execFileSync('ogrinfo', ['-ro', '-so', '-al', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return [...out.matchAll(/^Feature Count: (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

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
      const counts = { mapshelf: 0, reference: 0 };
      server.rss.take();
      const times = await alternate(
        ctx.runs,
        async (run) => {
          const job = await exportLayer(client, layer, { crs: 'EPSG:3035', formats: { vector: format.mimetype }, extent: crop.geojson });
          return async () => {
            const zip = join(ctx.dir, `mapshelf-${key}-${run}.zip`);
            await job.download(zip);
            const base = job.name.replace(/-[A-Z]+$/, '');
            counts.mapshelf = featureCount(`/vsizip/${zip}/${base}/${base}.${format.ext}`);
            rmSync(zip);
          };
        },
        (run) => {
          const name = `reference-${key}-${run}`;
          // -skipfailures: without it ogr2ogr stops at the first cut polygon that is a line, which a Shapefile refuses.
          const extra = key === 'shp' ? ['-skipfailures'] : [];
          const cleanUp = referenceExportTo(ctx.dir, versionFile, format, name, { crs: 'EPSG:3035', clip: crop.wkt, extra });
          return () => {
            counts.reference = featureCount(join(ctx.dir, name, `${name}.${format.ext}`));
            cleanUp();
          };
        },
        ctx.log,
      );
      const notes = `features: Mapshelf ${counts.mapshelf}, ogr2ogr -clipsrc ${counts.reference} (it drops the invalid polygons it can't cut)`;
      rows.push(comparison(`${scale} countries to ${key.toUpperCase()}`, times, { ratioMax: 1.2, rss: server.rss.take(), notes }));
    }
    return rows;
  },
};
