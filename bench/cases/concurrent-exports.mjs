// Case 6: eight exports of the points layer at once, against one export's time × 8: how the
// worker pool (--export-concurrency, 2 by default) uses the machine's cores.
import { cpus } from 'node:os';
import { alternate } from '../lib.mjs';
import { exportLayer } from '../mapshelf.mjs';
import { comparison } from '../report.mjs';
import { crop, formats, pointsLayer } from './export-points.mjs';

const concurrent = 8;

export default {
  id: 'concurrent-exports',
  title: 'Eight concurrent exports of the points layer vs one export × 8',
  target: 'none: shows how exports scale on the cores',
  async run(ctx) {
    const points = ctx.size('points', { smoke: 500, quick: 100_000, full: 1_000_000 });
    const { server, client, layer } = await pointsLayer(ctx, points);
    const request = { crs: 'EPSG:2193', formats: { vector: formats.gpkg.mimetype }, extent: crop.geojson };
    server.rss.take();
    const times = await alternate(
      ctx.runs,
      () => Promise.all(Array.from({ length: concurrent }, () => exportLayer(client, layer, request))),
      () => exportLayer(client, layer, request),
      ctx.log,
    );
    const serial = { mapshelf: times.mapshelf, reference: times.reference.map((t) => t * concurrent) };
    const row = comparison(`${concurrent} × ${points.toLocaleString('en')} points to GPKG at once`, serial, {
      rss: server.rss.take(),
      notes: `reference = one export × ${concurrent}; ${cpus().length} cores, export concurrency 2`,
    });
    return [{ ...row, reference: `${row.reference} (1 × ${concurrent})` }];
  },
};
