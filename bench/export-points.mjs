#!/usr/bin/env node
// Benchmark: exporting N points, reprojected to EPSG:2193 and cropped to a polygon, through
// Mapshelf vs `ogr2ogr -t_srs EPSG:2193 -clipsrc` followed by `zip`, on the same GeoPackage
// (the version file the server itself reads). Runs the two alternately (A B A B ...), timed from
// the POST to the finished zip, and samples the peak RSS of the server and of its ogr2ogr child.
// Usage: node bench/export-points.mjs [--points 1000000] [--runs 3] [--formats gpkg,shp,csv,kml]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openAsBlob, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, parseArgs, rssOf, serveForBench, sleep, writePoints } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const points = Number(args.points ?? 1_000_000);
const runs = Number(args.runs ?? 3);
const formats = (args.formats ?? 'gpkg').split(',');
const dir = mkdtempSync(join(tmpdir(), 'mapshelf-bench-export-'));
const token = 'bench-token';

// How each format is asked of Mapshelf, and what the reference ogr2ogr run writes.
const formatTable = {
  gpkg: { mimetype: 'application/x-ogc-gpkg', driver: 'GPKG', ext: 'gpkg', extra: ['-gt', '65536'] },
  shp: { mimetype: 'application/x-zipped-shp', driver: 'ESRI Shapefile', ext: 'shp', extra: ['-lco', 'ENCODING=UTF-8'] },
  csv: { mimetype: 'text/csv', driver: 'CSV', ext: 'csv', extra: ['-lco', 'GEOMETRY=AS_WKT'] },
  kml: { mimetype: 'application/vnd.google-earth.kml+xml', driver: 'KML', ext: 'kml', extra: [], crs: 'EPSG:4326' },
};

/** A 64-sided polygon around the middle of New Zealand: about a third of the points. */
function cropPolygon() {
  const ring = [];
  for (let i = 0; i < 64; i++) {
    const a = (2 * Math.PI * i) / 64;
    ring.push([+(172 + 3.5 * Math.cos(a)).toFixed(6), +(-40.5 + 4 * Math.sin(a)).toFixed(6)]);
  }
  ring.push(ring[0]);
  return { type: 'Polygon', coordinates: [ring] };
}

/** Children of a process, from /proc. */
function childrenOf(pid) {
  const kids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) kids.push(Number(name));
    } catch {}
  }
  return kids;
}

async function main() {
  const seq = join(dir, 'points.geojsonl');
  const gpkg = join(dir, 'points.gpkg');
  console.error(`generating ${points} points ...`);
  await writePoints(seq, points);
  execFileSync('ogr2ogr', ['-f', 'GPKG', gpkg, seq, '-nln', 'points', '-a_srs', 'EPSG:4326']);
  rmSync(seq);

  const dataDir = join(dir, 'data');
  const { server, api, headers, call } = await serveForBench(dataDir, token, ['--upload-limit', '4gb']);

  console.error('importing and publishing the layer ...');
  const form = new FormData();
  form.append('source', JSON.stringify({ title: 'Points' }));
  form.append('file0', await openAsBlob(gpkg), 'points.gpkg');
  const source = await (await fetch(`${api}sources/`, { method: 'POST', headers, body: form })).json();
  let datasources = [];
  while (datasources.length === 0) {
    await sleep(200);
    datasources = await call('GET', `sources/${source.id}/datasources/`);
  }
  const layer = await call('POST', 'layers/', { title: 'Points', data: { datasources: [datasources[0].id] } });
  for (let status = layer.version.status; status !== 'ok'; status = (await call('GET', layer.version.url)).version.status) {
    if (status === 'error') throw new Error('import failed');
    await sleep(200);
  }
  await call('POST', `${layer.version.url}publish/`, {});
  while (!(await call('GET', layer.url)).published_at) await sleep(200);
  // The reference reads the very file the server exports from.
  const versionFile = join(dataDir, 'layers', String(layer.id), 'v1.gpkg');
  const crop = cropPolygon();
  const clipWkt = `POLYGON ((${crop.coordinates[0].map((p) => p.join(' ')).join(', ')}))`;

  let peakServer = 0;
  let peakChild = 0;
  const sampler = setInterval(() => {
    peakServer = Math.max(peakServer, rssOf(server.pid));
    for (const child of childrenOf(server.pid)) peakChild = Math.max(peakChild, rssOf(child));
  }, 50);

  const results = {};
  for (const key of formats) {
    const format = formatTable[key];
    const times = { mapshelf: [], reference: [] };
    const sizes = {};
    peakServer = 0;
    peakChild = 0;
    for (let run = 0; run < runs; run++) {
      let t = performance.now();
      const created = await call('POST', 'exports/', { crs: 'EPSG:2193', formats: { vector: format.mimetype }, items: [{ item: layer.url }], extent: crop });
      if (!created?.url) throw new Error(`export refused: ${JSON.stringify(created)}`);
      let exported = created;
      while (exported.state === 'processing') {
        await sleep(50);
        exported = await call('GET', created.url);
      }
      times.mapshelf.push((performance.now() - t) / 1000);
      if (exported.state !== 'complete') throw new Error(`export failed: ${JSON.stringify(exported)}`);
      sizes.mapshelf_zip_bytes = exported.size;
      sizes.size_estimate_zipped = exported.size_estimate_zipped;

      const work = join(dir, `ref-${run}`);
      execFileSync('mkdir', ['-p', work]);
      t = performance.now();
      execFileSync('ogr2ogr', ['-f', format.driver, join(work, `points.${format.ext}`), versionFile, '-t_srs', format.crs ?? 'EPSG:2193', '-clipsrc', clipWkt, ...format.extra, 'data']);
      execFileSync('zip', ['-q', '-r', join(dir, `ref-${run}.zip`), '.'], { cwd: work });
      times.reference.push((performance.now() - t) / 1000);
      sizes.reference_zip_bytes = statSync(join(dir, `ref-${run}.zip`)).size;
      rmSync(work, { recursive: true, force: true });
      rmSync(join(dir, `ref-${run}.zip`));
    }
    const m = median(times.mapshelf);
    const r = median(times.reference);
    results[key] = {
      mapshelf_s: times.mapshelf.map((x) => +x.toFixed(2)),
      reference_s: times.reference.map((x) => +x.toFixed(2)),
      median_mapshelf_s: +m.toFixed(2),
      median_reference_s: +r.toFixed(2),
      ratio: +(m / r).toFixed(2),
      peak_server_rss_mb: Math.round(peakServer / 1e6),
      peak_ogr2ogr_rss_mb: Math.round(peakChild / 1e6),
      ...sizes,
    };
    console.error(key, JSON.stringify(results[key]));
  }
  clearInterval(sampler);
  server.kill('SIGTERM');
  const gdal = execFileSync('gdal-config', ['--version'], { encoding: 'utf8' }).trim();
  console.log(JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, memory_gb: Math.round(totalmem() / 1e9), gdal, points, runs, results }, null, 2));
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
