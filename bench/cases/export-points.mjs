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

/** A published layer of generated points on a fresh server, and the version file it exports from. */
export async function pointsLayer(ctx, points) {
  const seq = join(ctx.dir, 'points.geojsonl');
  const gpkg = join(ctx.dir, 'points.gpkg');
  ctx.log(`generating ${points} points, importing and publishing them`);
  await writeFeatures(seq, 'point', points);
  toGeoPackage(seq, gpkg, 'points');
  rmSync(seq);
  const server = await ctx.server(['--upload-limit', '8gb']);
  const client = clientFor(server, ctx.token);
  const layer = await publishedLayer(client, gpkg, 'Points');
  rmSync(gpkg);
  return { server, client, layer, versionFile: versionFileOf(server, layer) };
}

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

export default {
  id: 'export',
  title: 'Export points, EPSG:2193, clipped to a polygon, to GPKG, Shapefile, CSV and KML vs ogr2ogr -t_srs -clipsrc + zip',
  target: 'ratio ≤ 1.2, server RSS < 300 MB',
  async run(ctx) {
    const points = ctx.size('points', { smoke: 500, quick: 100_000, full: 1_000_000 });
    const { server, client, layer, versionFile } = await pointsLayer(ctx, points);
    const rows = [];
    for (const [key, format] of Object.entries(formats)) {
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
      rows.push(comparison(`${points.toLocaleString('en')} points to ${key.toUpperCase()}`, times, { ratioMax: 1.2, rss: server.rss.take(), rssMax: 300, notes: `zip ${Math.round(zipBytes / 1e5) / 10} MB` }));
    }
    return rows;
  },
};
