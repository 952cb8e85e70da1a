/**
 * The benchmark harness itself works: a smoke-sized run of every case finishes, and its results
 * file has what BENCHMARKS.md reports. No time is asserted; benchmarks never run in the suite.
 * It runs on the suite's store: on PostgreSQL, in the suite's cluster (MAPSHELF_TEST_DATABASE_URL).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';

const run = new URL('../run.mjs', import.meta.url).pathname;
const store = process.env.MAPSHELF_TEST_DATABASE_URL ? 'postgres' : 'sqlite';
const dir = mkdtempSync(join(tmpdir(), 'mapshelf-bench-smoke-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  label: string;
  mapshelf: string;
  reference: string;
  ratio: number;
  /** `processes_mb`: each process's peak, on rows that ran several. */
  rss: { server_mb: number; children_mb: number; processes_mb?: number[] };
  checks: Array<{ name: string; ok: boolean }>;
}

it(`runs every case at smoke size on ${store} and writes the results file`, async () => {
  const out = join(dir, 'results.json');
  const child = spawn(process.execPath, [run, '--smoke', '--store', store, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr.slice(-4000));

  const report = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(report.mode, 'smoke');
  assert.ok(report.machine.cores >= 1 && /^\d+\.\d+/.test(report.machine.gdal));
  assert.deepEqual(
    report.stores.map((s: { kind: string; version: string }) => [s.kind, /^\d+\.\d+/.test(s.version)]),
    [[store, true]],
  );
  assert.deepEqual(
    report.cases.map((c: { id: string; store: string }) => [c.id, c.store]),
    ['import', 'export', 'export-countries', 'catalog-search', 'sdk-iteration', 'concurrent-exports', 'metadata-record'].map((id) => [id, store]),
  );
  for (const c of report.cases) {
    assert.equal(c.error, undefined, `${c.id} failed: ${c.error}`);
    assert.ok(c.rows.length > 0, `${c.id} measured nothing`);
    for (const row of c.rows as Row[]) {
      assert.ok(row.label && row.mapshelf && row.reference, `${c.id}: ${JSON.stringify(row)}`);
      assert.ok(Number.isFinite(row.ratio) && row.ratio > 0, `${c.id} ${row.label}: ratio ${row.ratio}`);
      assert.ok(row.rss.server_mb > 50, `${c.id} ${row.label}: the server's RSS was sampled from /proc`);
      assert.ok((row.rss.processes_mb ?? []).every((mb) => mb > 50), `${c.id} ${row.label}: each process's RSS was sampled`);
    }
  }
  // Points in four formats, lines and polygons; two import inputs; on PostgreSQL, the search over
  // 2 API processes and the exports with 2 worker processes vs 1; a record as JSON and as XML, at 1 and 16 clients;
  // and the printed table has a line per row.
  const rowsOf = (id: string) => report.cases.find((c: { id: string }) => c.id === id).rows as Row[];
  assert.equal(rowsOf('export').length, 6);
  assert.equal(rowsOf('import').length, 2);
  assert.equal(rowsOf('catalog-search').length, store === 'postgres' ? 3 : 2);
  assert.equal(rowsOf('concurrent-exports').length, store === 'postgres' ? 2 : 1);
  assert.equal(rowsOf('metadata-record').length, 4);
  const rows = report.cases.reduce((n: number, c: { rows: Row[] }) => n + c.rows.length, 0);
  assert.equal(stdout.split('\n').filter((line) => /^\| (import|export|catalog|sdk|concurrent|metadata)/.test(line)).length, rows);
});
