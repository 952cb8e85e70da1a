/**
 * The benchmark harness itself works: a smoke-sized run of every case finishes, and its results
 * file has what BENCHMARKS.md reports. No time is asserted; benchmarks never run in the suite.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';

const run = new URL('../run.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mapshelf-bench-smoke-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  label: string;
  mapshelf: string;
  reference: string;
  ratio: number;
  rss: { server_mb: number; children_mb: number };
  checks: Array<{ name: string; ok: boolean }>;
}

it('runs every case at smoke size and writes the results file', async () => {
  const out = join(dir, 'results.json');
  const child = spawn(process.execPath, [run, '--smoke', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    report.cases.map((c: { id: string }) => c.id),
    ['import', 'export', 'export-countries', 'catalog-search', 'sdk-iteration', 'concurrent-exports'],
  );
  for (const c of report.cases) {
    assert.equal(c.error, undefined, `${c.id} failed: ${c.error}`);
    assert.ok(c.rows.length > 0, `${c.id} measured nothing`);
    for (const row of c.rows as Row[]) {
      assert.ok(row.label && row.mapshelf && row.reference, `${c.id}: ${JSON.stringify(row)}`);
      assert.ok(Number.isFinite(row.ratio) && row.ratio > 0, `${c.id} ${row.label}: ratio ${row.ratio}`);
      assert.ok(row.rss.server_mb > 50, `${c.id} ${row.label}: the server's RSS was sampled from /proc`);
    }
  }
  // Points in four formats, lines and polygons; two import inputs; and the printed table has a line per row.
  assert.equal(report.cases.find((c: { id: string }) => c.id === 'export').rows.length, 6);
  assert.equal(report.cases.find((c: { id: string }) => c.id === 'import').rows.length, 2);
  const rows = report.cases.reduce((n: number, c: { rows: Row[] }) => n + c.rows.length, 0);
  assert.equal(stdout.split('\n').filter((line) => /^\| (import|export|catalog|sdk|concurrent)/.test(line)).length, rows);
});
