// Case 2: exporting points reprojected to EPSG:2193 and clipped to a polygon, in four formats, vs
// `ogr2ogr -t_srs -clipsrc` on the very GeoPackage the server exports from, followed by `zip`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { polygon, toGeoPackage, writeFeatures } from '../data.mjs';
import { alternate } from '../lib.mjs';
import { clientFor, exportLayer, publishedLayer, versionFileOf } from '../mapshelf.mjs';
import { comparison } from '../report.mjs';

/** How each format is asked of Mapshelf, and what the reference ogr2ogr run writes. */
export const formats = {
  gpkg: { mimetype: 'application/x-ogc-gpkg', driver: 'GPKG', ext: 'gpkg', extra: ['-gt', '65536'] },
  shp: { mimetype: 'application/x-zipped-shp', driver: 'ESRI Shapefile', ext: 'shp', extra: ['-lco', 'ENCODING=UTF-8'] },
  csv: { mimetype: 'text/csv', driver: 'CSV', ext: 'csv', extra: ['-lco', 'GEOMETRY=AS_WKT'] },
  kml: { mimetype: 'application/vnd.google-earth.kml+xml', driver: 'KML', ext: 'kml', extra: [], crs: 'EPSG:4326' },
};

/** A 64-sided polygon around the middle of New Zealand: about a third of the points. */
export const crop = polygon({ center: [172, -40.5], radius: [3.5, 4], sides: 64 });

/** Publishes `count` generated features of a kind as a layer on a server (a fresh one unless given). */
export async function generatedLayer(ctx, kind, count, server) {
  const seq = join(ctx.dir, `${kind}s.geojsonl`);
  const gpkg = join(ctx.dir, `${kind}s.gpkg`);
  ctx.log(`generating ${count} ${kind}s, importing and publishing them`);
  await writeFeatures(seq, kind, count);
  toGeoPackage(seq, gpkg, `${kind}s`);
  rmSync(seq);
  server ??= await ctx.server(['--upload-limit', '8gb']);
  const client = clientFor(server, ctx.token);
  const layer = await publishedLayer(client, gpkg, `${kind[0].toUpperCase()}${kind.slice(1)}s`);
  rmSync(gpkg);
  return { server, client, layer, versionFile: versionFileOf(server, layer) };
}

/** A published layer of generated points on a fresh server, and the version file it exports from. */
export const pointsLayer = (ctx, points) => generatedLayer(ctx, 'point', points);

/** The reference: ogr2ogr to a folder, reprojected and clipped, then zip it, as the server's export does. */
export function referenceExportTo(dir, versionFile, format, name, { crs, clip, extra = [] }) {
  const work = join(dir, name);
  mkdirSync(work, { recursive: true });
  const args = ['-f', format.driver, join(work, `${name}.${format.ext}`), versionFile, '-t_srs', format.crs ?? crs, '-clipsrc', clip, ...format.extra, ...extra, 'data'];
  execFileSync('ogr2ogr', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  execFileSync('zip', ['-q', '-r', `${work}.zip`, '.'], { cwd: work });
  return () => {
    rmSync(work, { recursive: true, force: true });
    rmSync(`${work}.zip`, { force: true });
  };
}

/** Exports a layer to each format alternately with the reference; a row per format. */
async function exportRows(ctx, { server, client, layer, versionFile }, what, keys) {
  const rows = [];
  for (const key of keys) {
    const format = formats[key];
    server.rss.take();
    let zipBytes = 0;
    const times = await alternate(
      ctx.runs,
      async () => {
        const job = await exportLayer(client, layer, { crs: format.crs ?? 'EPSG:2193', formats: { vector: format.mimetype }, extent: crop.geojson });
        zipBytes = job.size;
      },
      (run) => referenceExportTo(ctx.dir, versionFile, format, `reference-${key}-${run}`, { crs: 'EPSG:2193', clip: crop.wkt }),
      ctx.log,
    );
    rows.push(comparison(`${what} to ${key.toUpperCase()}`, times, { ratioMax: 1.2, rss: server.rss.take(), rssMax: 300, notes: `zip ${Math.round(zipBytes / 1e5) / 10} MB` }));
  }
  return rows;
}

export default {
  id: 'export',
  title: 'Export points (GPKG, Shapefile, CSV, KML), lines and polygons (GPKG), EPSG:2193, clipped to a polygon, vs ogr2ogr -t_srs -clipsrc + zip',
  target: 'ratio ≤ 1.2, server RSS < 300 MB',
  async run(ctx) {
    const points = ctx.size('points', { smoke: 500, quick: 100_000, full: 1_000_000 });
    const shapes = ctx.size('shapes', { smoke: 200, quick: 10_000, full: 100_000 });
    const pointLayer = await pointsLayer(ctx, points);
    const rows = await exportRows(ctx, pointLayer, `${points.toLocaleString('en')} points`, Object.keys(formats));
    // Lines and polygons are cut in SQL rather than by -clipsrc (geo/crop-sql.ts): measured too.
    for (const kind of ['line', 'polygon']) {
      const layer = await generatedLayer(ctx, kind, shapes, pointLayer.server);
      rows.push(...(await exportRows(ctx, layer, `${shapes.toLocaleString('en')} ${kind}s`, ['gpkg'])));
    }
    return rows;
  },
};
