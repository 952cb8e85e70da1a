// Case 6: eight exports of the points layer at once, against one export's time × 8: how the
// worker pool (--export-concurrency, 2 by default) uses the machine's cores. On PostgreSQL also
// the same eight with the jobs in `mapshelf worker` processes beside an API-only server: two
// workers against one, which is how jobs scale out over processes (and machines).
import { cpus } from 'node:os';
import { alternate, timed } from '../lib.mjs';
import { clientFor, exportLayer } from '../mapshelf.mjs';
import { comparison } from '../report.mjs';
import { crop, formats, pointsLayer } from './export-points.mjs';

const concurrent = 8;
const request = { crs: 'EPSG:2193', formats: { vector: formats.gpkg.mimetype }, extent: crop.geojson };
const atOnce = (client, layer) => () => Promise.all(Array.from({ length: concurrent }, () => exportLayer(client, layer, request)));

/**
 * The eight at once through `serve --no-workers` on the first server's folder and database, with
 * 2 workers, then with 1, alternately. The second worker is started before its run and stopped
 * after it, untimed; one worker stays up throughout. Workers find jobs enqueued by another
 * process at their next poll, within a second, on both sides.
 */
async function workerRow(ctx, first, layer, what) {
  await first.stop();
  const api = await ctx.server(['--no-workers'], first.dataDir, first.database);
  const client = clientFor(api, ctx.token);
  const seen = await client.layers.get(layer.id);
  const worker = await ctx.worker(api);
  const times = { mapshelf: [], reference: [] };
  const rss = { api: 0, workers: [0, 0], children: 0 };
  const peaks = (sampled, i) => {
    const peak = sampled.rss.take();
    rss.workers[i] = Math.max(rss.workers[i], peak.server_mb);
    rss.children = Math.max(rss.children, peak.children_mb);
  };
  worker.rss.take();
  api.rss.take();
  for (let run = 0; run < ctx.runs; run++) {
    const second = await ctx.worker(api);
    times.mapshelf.push(await timed(atOnce(client, seen)));
    peaks(second, 1);
    await second.stop();
    times.reference.push(await timed(atOnce(client, seen)));
    peaks(worker, 0);
    ctx.log(`run ${run + 1}/${ctx.runs}: 2 workers ${times.mapshelf.at(-1).toFixed(2)} s, 1 worker ${times.reference.at(-1).toFixed(2)} s`);
  }
  const apiPeak = api.rss.take().server_mb;
  const row = comparison(`${concurrent} × ${what} at once, 2 worker processes vs 1`, times, {
    rss: { server_mb: apiPeak, children_mb: rss.children, processes_mb: [apiPeak, ...rss.workers] },
    notes: `serve --no-workers + mapshelf worker × 2 vs × 1, export concurrency 2 each; ${cpus().length} cores; RSS: the API, then each worker (their ogr2ogr children's peak apart)`,
  });
  return { ...row, mapshelf: `${row.mapshelf} (2 workers)`, reference: `${row.reference} (1 worker)` };
}

export default {
  id: 'concurrent-exports',
  title: 'Eight concurrent exports of the points layer vs one export × 8; on PostgreSQL also with 2 worker processes vs 1',
  target: 'none: shows how exports scale on the cores, and over worker processes',
  async run(ctx) {
    const points = ctx.size('points', { smoke: 500, quick: 100_000, full: 1_000_000 });
    const { server, client, layer } = await pointsLayer(ctx, points);
    const what = `${points.toLocaleString('en')} points to GPKG`;
    server.rss.take();
    const times = await alternate(ctx.runs, atOnce(client, layer), () => exportLayer(client, layer, request), ctx.log);
    const serial = { mapshelf: times.mapshelf, reference: times.reference.map((t) => t * concurrent) };
    const row = comparison(`${concurrent} × ${what} at once`, serial, {
      rss: server.rss.take(),
      notes: `reference = one export × ${concurrent}; ${cpus().length} cores, export concurrency 2`,
    });
    const rows = [{ ...row, reference: `${row.reference} (1 × ${concurrent})` }];
    // Workers of their own are how PostgreSQL deployments scale jobs out (README); on SQLite the case keeps to the one process.
    if (ctx.store === 'postgres') rows.push(await workerRow(ctx, server, layer, what));
    return rows;
  },
};
