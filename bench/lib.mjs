// What every benchmark case shares: seeded randomness, servers and workers with RSS sampling, alternating
// timed runs, medians, and the machine's description.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createServer } from 'node:net';

/** `--name value` pairs and bare `--flag`s from the command line. */
export function parseArgs(argv) {
  const args = {};
  argv.forEach((arg, i) => {
    if (!arg.startsWith('--')) return;
    const next = argv[i + 1];
    args[arg.slice(2)] = next === undefined || next.startsWith('--') ? true : next;
  });
  return args;
}

/** A seeded random number generator (LCG), so every run has the same data. */
export function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
export const round = (x, digits = 2) => +x.toFixed(digits);

/** A process's resident memory in bytes, from /proc (0 once it has gone). */
export function rssOf(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return 0;
  }
}

/** The children of a process (the server's ogr2ogr runs), from /proc. */
export function childrenOf(pid) {
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

/** Samples a process's RSS, and its children's, every 50 ms; `take()` returns the peaks in MB and starts over. */
export function rssSampler(pid) {
  let server = 0;
  let children = 0;
  const timer = setInterval(() => {
    server = Math.max(server, rssOf(pid));
    for (const child of childrenOf(pid)) children = Math.max(children, rssOf(child));
  }, 50);
  timer.unref();
  return {
    take() {
      const peaks = { server_mb: Math.round(server / 1e6), children_mb: Math.round(children / 1e6) };
      server = rssOf(pid);
      children = 0;
      return peaks;
    },
    stop: () => clearInterval(timer),
  };
}

// The command as `npx mapshelf` runs it: by its #! line, with the Node flags that line gives.
const bin = new URL('../packages/cli/bin/mapshelf.js', import.meta.url).pathname;

/**
 * Starts a `mapshelf` process (`serve` or `worker`) on a data folder, its catalog in `database`
 * when one is given (else SQLite in the folder: a MAPSHELF_DATABASE_URL of the caller's is not
 * passed on). Once `ready(stderr)` holds (asked every 100 ms), its RSS is sampled; `stop()` ends it.
 */
async function startMapshelf(command, dataDir, { args, database, env, ready, label }) {
  const inherited = { ...process.env };
  delete inherited.MAPSHELF_DATABASE_URL;
  const store = database ? ['--database', database] : [];
  const child = spawn(bin, [command, '--data-dir', dataDir, ...store, '--log-level', 'warn', ...args], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // The process's own messages are shown only if it fails: they would bury the results otherwise.
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-20_000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let stopping = false;
  child.once('exit', (code, signal) => !stopping && console.error(`${label} ended (${code ?? signal}):\n${stderr}`));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode}: ${stderr}`);
    if (await ready(stderr)) break;
    if (i > 600) throw new Error(`${label} did not come up in 60 s`);
    await sleep(100);
  }
  const rss = rssSampler(child.pid);
  return {
    pid: child.pid,
    dataDir,
    database,
    rss,
    async stop() {
      stopping = true;
      rss.stop();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * `mapshelf serve` with a bootstrap admin token, once it answers /health. `args` are more flags
 * (`--no-workers`); `database` a postgres:// URL, or null for SQLite in the data folder.
 */
export async function startServer(dataDir, token, { args = [], database = null } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startMapshelf('serve', dataDir, {
    args: ['--port', String(port), ...args],
    database,
    env: { MAPSHELF_BOOTSTRAP_TOKEN: token },
    ready: () => fetch(`${url}/health`).then((r) => r.ok, () => false),
    label: `the server on ${dataDir}${database ? ` and ${database}` : ''}`,
  });
  return { ...server, url };
}

/** `mapshelf worker`, once it says it runs jobs (it listens on no port). */
export function startWorker(dataDir, { args = [], database = null } = {}) {
  return startMapshelf('worker', dataDir, {
    args,
    database,
    env: {},
    ready: (stderr) => stderr.includes('is running jobs'),
    label: `the worker on ${dataDir}${database ? ` and ${database}` : ''}`,
  });
}

/** Seconds that `fn` takes. */
export async function timed(fn) {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

/**
 * Runs Mapshelf and its reference alternately (A B A B …), `runs` times each; their times in
 * seconds. A side may return a clean-up function, which runs after its timing stops.
 */
export async function alternate(runs, mapshelf, reference, log = () => {}) {
  const times = { mapshelf: [], reference: [] };
  const side = async (fn, run, into) => {
    let cleanUp;
    into.push(await timed(async () => (cleanUp = await fn(run))));
    if (typeof cleanUp === 'function') await cleanUp();
  };
  for (let run = 0; run < runs; run++) {
    await side(mapshelf, run, times.mapshelf);
    await side(reference, run, times.reference);
    log(`run ${run + 1}/${runs}: Mapshelf ${times.mapshelf.at(-1).toFixed(2)} s, reference ${times.reference.at(-1).toFixed(2)} s`);
  }
  return times;
}

/** Cores, memory and GDAL version: what a result was measured on. */
export function machine() {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memory_gb: round(totalmem() / 1e9, 1),
    gdal: execFileSync('gdal-config', ['--version'], { encoding: 'utf8' }).trim(),
    node: process.version,
  };
}
