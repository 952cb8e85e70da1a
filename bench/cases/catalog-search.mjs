// Case 4: catalog search under load. C concurrent clients send mixed q + bbox + sort searches as a
// reader who sees part of the catalog, in rounds alternating with rounds of GET /health.
import { median, quantile, rng } from '../lib.mjs';
import { searchWords } from '../catalog-seed.mjs';
import { catalogFor } from './catalog.mjs';

const random = rng(11);
const pick = (list) => list[Math.floor(random() * list.length)];

/** One search as a catalog page sends it: a word, a box somewhere, maybe a sort, 20 a page. */
function searchUrl(base) {
  const w = 2 + random() * 40;
  const h = 2 + random() * 30;
  const x = -180 + random() * (360 - w);
  const y = -80 + random() * (155 - h);
  const params = new URLSearchParams({ q: pick(searchWords), bbox: [x, y, x + w, y + h].map((n) => n.toFixed(3)).join(','), page_size: '20' });
  const sort = pick(['', 'name', '-created_at', '-updated_at', '-popularity']);
  if (sort) params.set('sort', sort);
  return `${base}/services/api/v1/data/?${params}`;
}

/** `clients` loops, each sending one request after another for `seconds`; throughput and latencies in ms. */
async function load(makeUrl, token, clients, seconds) {
  const latencies = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const t0 = performance.now();
        const res = await fetch(makeUrl(), { headers: { authorization: `key ${token}`, accept: 'application/json' } });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) errors++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / seconds, median: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), errors };
}

export default {
  id: 'catalog-search',
  title: 'Catalog search, 16 concurrent clients, mixed q/bbox/sort, vs GET /health throughput',
  target: 'median < 10 ms, p99 < 30 ms, throughput ratio ≥ 0.4',
  async run(ctx) {
    const catalog = await catalogFor(ctx);
    const clients = ctx.size('clients', { smoke: 4, quick: 16, full: 16 });
    const seconds = ctx.size('seconds', { smoke: 1, quick: 5, full: 15 });
    const server = await ctx.server([], catalog.dir);
    const search = () => searchUrl(server.url);
    const health = () => `${server.url}/health`;
    await load(search, catalog.readerToken, clients, Math.min(seconds, 5)); // warm-up: page cache and JIT
    server.rss.take();
    const rounds = { search: [], health: [] };
    for (let round = 0; round < ctx.runs; round++) {
      rounds.health.push(await load(health, catalog.readerToken, clients, seconds));
      rounds.search.push(await load(search, catalog.readerToken, clients, seconds));
      const [h, s] = [rounds.health.at(-1), rounds.search.at(-1)];
      ctx.log(`round ${round + 1}: /health ${h.perSecond.toFixed(0)}/s · search ${s.perSecond.toFixed(0)}/s, median ${s.median.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, ${s.errors} errors`);
    }
    const m = median(rounds.search.map((s) => s.median));
    const p99 = median(rounds.search.map((s) => s.p99));
    const perSecond = median(rounds.search.map((s) => s.perSecond));
    const healthPerSecond = median(rounds.health.map((h) => h.perSecond));
    const ratio = +(perSecond / healthPerSecond).toFixed(2);
    const errors = rounds.search.reduce((n, s) => n + s.errors, 0);
    if (errors) throw new Error(`${errors} searches failed`);
    return [
      {
        label: `${catalog.items.toLocaleString('en')} items, ${clients} clients`,
        mapshelf: `median ${m.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ${perSecond.toFixed(0)}/s`,
        reference: `/health ${healthPerSecond.toFixed(0)}/s`,
        ratio,
        rss: server.rss.take(),
        checks: [
          { name: 'median', value: `${m.toFixed(1)} ms`, target: '< 10 ms', ok: m < 10 },
          { name: 'p99', value: `${p99.toFixed(1)} ms`, target: '< 30 ms', ok: p99 < 30 },
          { name: 'ratio', value: ratio, target: '≥ 0.4', ok: ratio >= 0.4 },
        ],
        data: { rounds },
      },
    ];
  },
};
