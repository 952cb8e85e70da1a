#!/usr/bin/env node
// The benchmark harness: `npm run bench [-- --quick | --smoke] [--store sqlite|postgres|both]
// [--cases a,b] [--runs N] [--out FILE]`. Each case runs against its own freshly started server
// on a temporary data folder, its catalog in SQLite there or in a fresh PostgreSQL database
// (bench/stores.mjs), alternating Mapshelf and its reference; with `--store both`, each case runs
// on SQLite and then on PostgreSQL. The table of medians and ratios is printed, and the whole
// result written to bench/results/latest.json (or --out).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { machine, parseArgs, startServer, startWorker } from './lib.mjs';
import { cases } from './cases/index.mjs';
import { renderTable } from './report.mjs';
import { chosenStores, openStore } from './stores.mjs';

const args = parseArgs(process.argv.slice(2));
const mode = args.smoke ? 'smoke' : args.quick ? 'quick' : 'full';
const chosen = args.cases ? String(args.cases).split(',') : cases.map((c) => c.id);
const unknown = chosen.filter((id) => !cases.some((c) => c.id === id));
if (unknown.length) {
  console.error(`bench: unknown case(s) ${unknown.join(', ')}; the cases are ${cases.map((c) => c.id).join(', ')}.`);
  process.exit(2);
}
let storeKinds;
try {
  storeKinds = chosenStores(args.store === undefined ? undefined : String(args.store));
} catch (error) {
  console.error(`bench: ${error.message}.`);
  process.exit(2);
}
const out = args.out ?? new URL('./results/latest.json', import.meta.url).pathname;
// Strong enough for the bootstrap rule (20+ characters, 80+ estimated bits), like `openssl rand -hex 32`.
const token = 'bench-admin-2c7e91f04b8a3d65e0f1c9a7b4d2e683';
const root = mkdtempSync(join(tmpdir(), 'mapshelf-bench-'));
// On Ctrl-C or a kill, exit through the exit hooks: they stop the servers and the PostgreSQL cluster, and remove the run's folder.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(128 + constants.signals[signal]));
process.once('exit', () => rmSync(root, { recursive: true, force: true }));
const started = new Date();
const results = [];

const log = (caseId) => (line) => console.error(`[${caseId}] ${line}`);

const stores = [];
for (const kind of storeKinds) stores.push(await openStore(kind, log('bench')));
const described = await Promise.all(stores.map((s) => s.describe()));

async function runCase(benchCase, store) {
  const dir = join(root, `${benchCase.id}-${store.kind}`);
  mkdirSync(dir, { recursive: true });
  const processes = [];
  const databases = [];
  const ctx = {
    mode,
    dir,
    // What cases on one store share within a run (the seeded catalog); removed with the run.
    sharedDir: join(root, 'shared', store.kind),
    token,
    args,
    /** 'sqlite' or 'postgres': what the servers keep their catalog in. */
    store: store.kind,
    log: log(`${benchCase.id} ${store.kind}`),
    /** A size by mode, unless the command line gives one: `ctx.size('points', {smoke, quick, full})`. */
    size: (name, sizes) => Number(args[name] ?? sizes[mode]),
    runs: Number(args.runs ?? (mode === 'smoke' ? 1 : 3)),
    /** A fresh PostgreSQL database, dropped when the case ends; null on SQLite. */
    async database() {
      const url = await store.database();
      if (url) databases.push(url);
      return url;
    },
    /** A fresh database that lasts the whole run, for what cases share (null on SQLite). */
    runDatabase: () => store.database(),
    /**
     * A server on a data folder of this case (or `dataDir`), stopped when the case ends. Its
     * catalog is in `database` (null: SQLite in the folder), by default a fresh one of the store.
     */
    async server(extraArgs = [], dataDir = join(dir, `data${processes.length}`), database) {
      const server = await startServer(dataDir, token, { args: extraArgs, database: database === undefined ? await ctx.database() : database });
      processes.push(server);
      return server;
    },
    /** A `mapshelf worker` beside a server (its data folder and database), stopped when the case ends unless stopped before. */
    async worker(server, extraArgs = []) {
      const worker = await startWorker(server.dataDir, { args: extraArgs, database: server.database });
      processes.push(worker);
      return worker;
    },
  };
  console.error(`\n== ${benchCase.id} on ${store.kind}: ${benchCase.title} (${mode})`);
  const t = Date.now();
  const result = { id: benchCase.id, store: store.kind, title: benchCase.title, target: benchCase.target };
  try {
    const rows = await benchCase.run(ctx);
    results.push({ ...result, seconds: Math.round((Date.now() - t) / 1000), rows });
  } catch (error) {
    console.error(error);
    results.push({ ...result, error: String(error?.stack ?? error), rows: [] });
  } finally {
    for (const child of processes) await child.stop();
    for (const url of databases) await store.drop(url);
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  for (const benchCase of cases.filter((c) => chosen.includes(c.id))) {
    for (const store of stores) await runCase(benchCase, store);
  }
} finally {
  for (const store of stores) await store.close();
}

const report = {
  date: started.toISOString(),
  mode,
  stores: described,
  machine: machine(),
  seconds: Math.round((Date.now() - started.getTime()) / 1000),
  cases: results,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(renderTable(report));
console.log(`\nWritten to ${out}`);
process.exitCode = results.some((r) => r.error) ? 1 : 0;
