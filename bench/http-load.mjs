// Load from concurrent HTTP clients, as the latency and throughput cases measure it.
import { median, quantile } from './lib.mjs';

/**
 * `clients` loops, each sending one request after another for `seconds`: the throughput, the
 * latencies in ms, and the answers that were not a 200 (redirects are not followed, so a
 * redirect counts as one). `url` is a URL, or a function giving each request's.
 */
export async function load(url, headers, clients, seconds) {
  const next = typeof url === 'function' ? url : () => url;
  const latencies = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const t0 = performance.now();
        const res = await fetch(next(), { headers, redirect: 'manual' });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) errors++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / seconds, median: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), errors };
}

/** The medians over rounds of a load's throughput and latencies. */
export function medians(rounds) {
  const of = (key) => median(rounds.map((r) => r[key]));
  return { median: of('median'), p99: of('p99'), perSecond: of('perSecond') };
}

export const ms = (x) => `${x.toFixed(2)} ms`;
export const loadText = (s) => `${s.perSecond.toFixed(0)}/s (median ${ms(s.median)}, p99 ${ms(s.p99)})`;
