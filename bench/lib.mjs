// What every benchmark script shares: arguments, seeded data, ports, medians and RSS from /proc.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** `--name value` pairs from the command line. */
export const parseArgs = (argv) => Object.fromEntries(argv.reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));

/** A seeded random number generator (LCG), so every run has the same data. */
export function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** Writes `count` GeoJSONSeq points over New Zealand with twelve typed attributes, streaming. */
export async function writePoints(path, count) {
  const random = rng(42);
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    const props = {
      id: i, name: `point ${i}`, category: ['a', 'b', 'c', 'd'][i % 4], value: Math.round(random() * 1e6) / 100,
      count: Math.floor(random() * 1000), flag: i % 3 === 0, code: `C${(i * 7919) % 100000}`, height: random() * 3000,
      year: 1900 + (i % 125), ratio: random(), label: `L${i % 997}`, date: `20${String(10 + (i % 15))}-0${1 + (i % 9)}-1${i % 9}`,
    };
    const line = `{"type":"Feature","properties":${JSON.stringify(props)},"geometry":{"type":"Point","coordinates":[${(166 + random() * 12).toFixed(6)},${(-47 + random() * 13).toFixed(6)}]}}\n`;
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
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

/** A process's resident memory in bytes, from /proc (0 once it has gone). */
export function rssOf(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return 0;
  }
}

/**
 * Starts `mapshelf serve` on a data folder with a bootstrap admin token, waits until it answers,
 * and gives a JSON `call(method, path, body)` on its Data API. It is killed when this process exits.
 */
export async function serveForBench(dataDir, token, extraArgs = []) {
  const bin = new URL('../packages/cli/dist/bin.js', import.meta.url).pathname;
  const port = await freePort();
  const server = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', ...extraArgs], {
    env: { ...process.env, MAPSHELF_BOOTSTRAP_TOKEN: token },
    stdio: 'ignore',
  });
  process.on('exit', () => server.kill('SIGTERM'));
  const api = `http://127.0.0.1:${port}/services/api/v1/`;
  const headers = { authorization: `key ${token}` };
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
    } catch {}
    await sleep(100);
  }
  const call = async (method, path, body) => {
    const res = await fetch(path.startsWith('http') ? path : api + path, {
      method,
      headers: { ...headers, ...(body && { 'content-type': 'application/json' }) },
      body: body && JSON.stringify(body),
    });
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  };
  return { server, api, headers, call };
}
