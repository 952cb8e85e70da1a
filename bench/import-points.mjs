#!/usr/bin/env node
// Benchmark: importing N points (GeoJSONSeq and GeoPackage) through Mapshelf vs ogr2ogr to GPKG.
// Runs each side alternately (A B A B ...) and reports medians, the ratio, and the server's peak RSS.
// Usage: node bench/import-points.mjs [--points 1000000] [--runs 3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openAsBlob, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, parseArgs, rssOf, serveForBench, sleep, writePoints } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const points = Number(args.points ?? 1_000_000);
const runs = Number(args.runs ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'mapshelf-bench-'));
const token = 'bench-token';

async function main() {
  const seq = join(dir, 'points.geojsonl');
  const gpkg = join(dir, 'points.gpkg');
  console.error(`generating ${points} points ...`);
  await writePoints(seq, points);
  execFileSync('ogr2ogr', ['-f', 'GPKG', gpkg, seq, '-nln', 'points']);

  const dataDir = join(dir, 'data');
  const { server, api, headers, call } = await serveForBench(dataDir, token, ['--upload-limit', '4gb']);

  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(server.pid))), 50);
  const results = {};
  for (const [label, file] of [['GeoJSONSeq', seq], ['GeoPackage', gpkg]]) {
    const form = new FormData();
    form.append('source', JSON.stringify({ title: label }));
    form.append('file0', await openAsBlob(file), file.endsWith('.gpkg') ? 'points.gpkg' : 'points.geojsonl');
    const source = await (await fetch(`${api}sources/`, { method: 'POST', headers, body: form })).json();
    let datasources = [];
    while (datasources.length === 0) {
      await sleep(200);
      datasources = await call('GET', `sources/${source.id}/datasources/`);
    }
    const times = { mapshelf: [], ogr2ogr: [] };
    for (let run = 0; run < runs; run++) {
      // Mapshelf: from the create request to the version being ready.
      peakRss = 0;
      let t = performance.now();
      const layer = await call('POST', 'layers/', { title: `${label} ${run}`, data: { datasources: [datasources[0].id], crs: 'EPSG:4326' } });
      let status = layer.version.status;
      while (status !== 'ok' && status !== 'error') {
        await sleep(20);
        status = (await call('GET', layer.version.url)).version.status;
      }
      times.mapshelf.push((performance.now() - t) / 1000);
      if (status !== 'ok') throw new Error(`import failed: ${JSON.stringify(await call('GET', layer.version.url))}`);
      results[`${label} peak RSS MB`] = Math.max(results[`${label} peak RSS MB`] ?? 0, Math.round(peakRss / 1e6));
      await call('DELETE', layer.url);
      // ogr2ogr on the same file.
      const out = join(dir, `ogr-${run}.gpkg`);
      t = performance.now();
      execFileSync('ogr2ogr', ['-f', 'GPKG', out, file]);
      times.ogr2ogr.push((performance.now() - t) / 1000);
      rmSync(out);
    }
    const m = median(times.mapshelf);
    const o = median(times.ogr2ogr);
    results[label] = { mapshelf_s: times.mapshelf.map((x) => +x.toFixed(2)), ogr2ogr_s: times.ogr2ogr.map((x) => +x.toFixed(2)), median_mapshelf_s: +m.toFixed(2), median_ogr2ogr_s: +o.toFixed(2), ratio: +(m / o).toFixed(2) };
  }
  clearInterval(sampler);
  server.kill('SIGTERM');
  console.log(JSON.stringify({ points, runs, input_bytes: statSync(seq).size, results }, null, 2));
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
