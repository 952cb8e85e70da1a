// Case 1: importing points (GeoJSONSeq and GeoPackage) vs ogr2ogr to GPKG on the same file.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { toGeoPackage, writeFeatures } from '../data.mjs';
import { alternate } from '../lib.mjs';
import { clientFor, datasourceOf, importLayer } from '../mapshelf.mjs';
import { comparison } from '../report.mjs';

export default {
  id: 'import',
  title: 'Import points (GeoJSONSeq and GeoPackage) vs ogr2ogr to GPKG',
  target: 'ratio ≤ 1.3',
  async run(ctx) {
    const points = ctx.size('points', { smoke: 500, quick: 100_000, full: 1_000_000 });
    const seq = join(ctx.dir, 'points.geojsonl');
    const gpkg = join(ctx.dir, 'points.gpkg');
    ctx.log(`generating ${points} points`);
    await writeFeatures(seq, 'point', points);
    toGeoPackage(seq, gpkg, 'points');
    const server = await ctx.server(['--upload-limit', '8gb']);
    const client = clientFor(server, ctx.token);
    const rows = [];
    for (const [label, file] of [['GeoJSONSeq', seq], ['GeoPackage', gpkg]]) {
      const datasource = await datasourceOf(client, file, label);
      server.rss.take();
      const times = await alternate(
        ctx.runs,
        // From the create request until the version is ready; the layer is deleted untimed.
        async (run) => {
          const layer = await importLayer(client, datasource, `${label} ${run}`);
          return () => layer.delete();
        },
        (run) => {
          const out = join(ctx.dir, `reference-${run}.gpkg`);
          execFileSync('ogr2ogr', ['-f', 'GPKG', out, file], { stdio: ['ignore', 'ignore', 'pipe'] });
          return () => rmSync(out);
        },
        ctx.log,
      );
      rows.push(comparison(`${points.toLocaleString('en')} points, ${label}`, times, { ratioMax: 1.3, rss: server.rss.take() }));
    }
    return rows;
  },
};
