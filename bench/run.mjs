#!/usr/bin/env node
// The benchmark harness: `npm run bench [-- --quick | --smoke] [--cases a,b] [--runs N] [--out FILE]`.
// Each case runs against its own freshly started server on a temporary data folder, alternating
// Mapshelf and its reference; the table of medians and ratios is printed, and the whole result
// written to bench/results/latest.json (or --out).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { machine, parseArgs, startServer } from './lib.mjs';
import { cases } from './cases/index.mjs';
import { renderTable } from './report.mjs';

const args = parseArgs(process.argv.slice(2));
const mode = args.smoke ? 'smoke' : args.quick ? 'quick' : 'full';
const chosen = args.cases ? String(args.cases).split(',') : cases.map((c) => c.id);
const unknown = chosen.filter((id) => !cases.some((c) => c.id === id));
if (unknown.length) {
  console.error(`bench: unknown case(s) ${unknown.join(', ')}; the cases are ${cases.map((c) => c.id).join(', ')}.`);
  process.exit(2);
}
const out = args.out ?? new URL('./results/latest.json', import.meta.url).pathname;
// Strong enough for the bootstrap rule (20+ characters, 80+ estimated bits), like `openssl rand -hex 32`.
const token = 'bench-admin-2c7e91f04b8a3d65e0f1c9a7b4d2e683';
const root = mkdtempSync(join(tmpdir(), 'mapshelf-bench-'));
// What cases share within a run (the seeded catalog); removed with the run.
const sharedDir = join(root, 'shared');
const started = new Date();
const results = [];

const log = (caseId) => (line) => console.error(`[${caseId}] ${line}`);

for (const benchCase of cases.filter((c) => chosen.includes(c.id))) {
  const dir = join(root, benchCase.id);
  mkdirSync(dir, { recursive: true });
  const servers = [];
  const ctx = {
    mode,
    dir,
    sharedDir,
    token,
    args,
    log: log(benchCase.id),
    /** A size by mode, unless the command line gives one: `ctx.size('points', {smoke, quick, full})`. */
    size: (name, sizes) => Number(args[name] ?? sizes[mode]),
    runs: Number(args.runs ?? (mode === 'smoke' ? 1 : 3)),
    /** A fresh server on a data folder of this case (or `dataDir`), stopped when the case ends. */
    async server(extraArgs = [], dataDir = join(dir, `data${servers.length}`)) {
      const server = await startServer(dataDir, token, extraArgs);
      servers.push(server);
      return server;
    },
  };
  console.error(`\n== ${benchCase.id}: ${benchCase.title} (${mode})`);
  const t = Date.now();
  try {
    const rows = await benchCase.run(ctx);
    results.push({ id: benchCase.id, title: benchCase.title, target: benchCase.target, seconds: Math.round((Date.now() - t) / 1000), rows });
  } catch (error) {
    console.error(error);
    results.push({ id: benchCase.id, title: benchCase.title, target: benchCase.target, error: String(error?.stack ?? error), rows: [] });
  } finally {
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
rmSync(root, { recursive: true, force: true });

const report = { date: started.toISOString(), mode, machine: machine(), seconds: Math.round((Date.now() - started.getTime()) / 1000), cases: results };
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(renderTable(report));
console.log(`\nWritten to ${out}`);
process.exitCode = results.some((r) => r.error) ? 1 : 0;
