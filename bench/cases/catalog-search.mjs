// Case 4: catalog search. Mixed q + bbox + sort searches as a reader who sees part of the catalog:
// one client alone (latency), then 16 concurrent clients in rounds alternating with rounds of
// GET /health (throughput against what the HTTP stack alone does), and the server's peak RSS. On
// PostgreSQL, the 16 clients also go to two API processes on the one database, in turn.
import { quantile, rng } from '../lib.mjs';
import { load, loadText, medians, ms } from '../http-load.mjs';
import { searchWords } from '../catalog-seed.mjs';
import { catalogFor } from './catalog.mjs';

const random = rng(11);
const pick = (list) => list[Math.floor(random() * list.length)];

/** One search as a catalog page sends it: a word, a box somewhere, maybe a sort, 20 a page. */
function searchUrl(base, word = pick(searchWords)) {
  const w = 2 + random() * 40;
  const h = 2 + random() * 30;
  const x = -180 + random() * (360 - w);
  const y = -80 + random() * (155 - h);
  const params = new URLSearchParams({ q: word, bbox: [x, y, x + w, y + h].map((n) => n.toFixed(3)).join(','), page_size: '20' });
  const sort = pick(['', 'name', '-created_at', '-updated_at', '-popularity']);
  if (sort) params.set('sort', sort);
  return `${base}/services/api/v1/data/?${params}`;
}

const healthUrl = (base) => `${base}/health`;

/** URLs of `url(base)` spread over servers in turn, as a round-robin load balancer would. */
function spread(servers, url) {
  let n = 0;
  return () => url(servers[n++ % servers.length].url);
}

export default {
  id: 'catalog-search',
  title: 'Catalog search, mixed q/bbox/sort: 1 client (latency), 16 clients vs GET /health (throughput), on PostgreSQL also over 2 API processes',
  target: '1 client: median < 3 ms, p99 < 10 ms; 16 clients: ratio ≥ 0.4; RSS of each API process < 300 MB (100,000 items), < 1 GB (1,000,000)',
  async run(ctx) {
    const catalog = await catalogFor(ctx);
    const clients = ctx.size('clients', { smoke: 4, quick: 16, full: 16 });
    const seconds = ctx.size('seconds', { smoke: 1, quick: 5, full: 15 });
    const server = await ctx.server([], catalog.dir, catalog.database);
    // Two API processes on one database are PostgreSQL's way to scale out; SQLite's data folder takes one.
    const second = ctx.store === 'postgres' ? await ctx.server(['--no-workers'], catalog.dir, catalog.database) : null;
    const readerHeaders = { authorization: `key ${catalog.readerToken}`, accept: 'application/json' };
    const loads = [{ search: spread([server], searchUrl), health: spread([server], healthUrl) }];
    if (second) loads.push({ search: spread([server, second], searchUrl), health: spread([server, second], healthUrl) });
    // The first search of each word, one at a time, in each process: the store reads its matches
    // then (the first process's times are reported, for information).
    const firstSearches = async (base) => {
      const times = [];
      for (const word of searchWords) {
        const t0 = performance.now();
        const res = await fetch(searchUrl(base, word), { headers: { authorization: `key ${catalog.readerToken}`, accept: 'application/json' } });
        await res.arrayBuffer();
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b);
    };
    const cold = await firstSearches(server.url);
    if (second) await firstSearches(second.url);
    ctx.log(`first search of each of ${cold.length} words: median ${ms(quantile(cold, 0.5))}, slowest ${ms(cold.at(-1))}`);
    // Warm-up of every process: page cache and JIT.
    for (const { search } of loads) await load(search, readerHeaders, clients, Math.min(seconds, 5));
    for (const s of [server, second]) s?.rss.take();
    const rounds = { single: [], search: [], health: [], search2: [], health2: [] };
    for (let round = 0; round < ctx.runs; round++) {
      rounds.single.push(await load(loads[0].search, readerHeaders, 1, seconds));
      rounds.health.push(await load(loads[0].health, readerHeaders, clients, seconds));
      rounds.search.push(await load(loads[0].search, readerHeaders, clients, seconds));
      if (second) {
        rounds.health2.push(await load(loads[1].health, readerHeaders, clients, seconds));
        rounds.search2.push(await load(loads[1].search, readerHeaders, clients, seconds));
      }
      const [one, h, s] = [rounds.single.at(-1), rounds.health.at(-1), rounds.search.at(-1)];
      const two = second ? ` · 2 processes: /health ${rounds.health2.at(-1).perSecond.toFixed(0)}/s, search ${loadText(rounds.search2.at(-1))}` : '';
      ctx.log(
        `round ${round + 1}: 1 client median ${ms(one.median)}, p99 ${ms(one.p99)} · ${clients} clients: /health ${h.perSecond.toFixed(0)}/s, ` +
          `search ${loadText(s)}${two} · ${one.errors + s.errors + (rounds.search2.at(-1)?.errors ?? 0)} errors`,
      );
    }
    const errors = [...rounds.single, ...rounds.search, ...rounds.search2].reduce((n, s) => n + s.errors, 0);
    if (errors) throw new Error(`${errors} searches failed`);
    const single = medians(rounds.single);
    const loaded = medians(rounds.search);
    const healthPerSecond = medians(rounds.health).perSecond;
    const ratio = +(loaded.perSecond / healthPerSecond).toFixed(2);
    const rss = server.rss.take();
    const rssMax = catalog.items > 100_000 ? 1000 : 300;
    const rssCheck = (name, mb) => ({ name, value: `${mb} MB`, target: `< ${rssMax} MB`, ok: mb < rssMax });
    const items = catalog.items.toLocaleString('en');
    const rows = [
      {
        label: `${items} items, 1 client`,
        mapshelf: `median ${ms(single.median)}, p99 ${ms(single.p99)}, ${single.perSecond.toFixed(0)}/s`,
        reference: '(latency)',
        // A single client's throughput against the 16-client /health: for the table, not a target.
        ratio: +(single.perSecond / healthPerSecond).toFixed(2),
        rss,
        checks: [
          { name: 'median', value: ms(single.median), target: '< 3 ms', ok: single.median < 3 },
          { name: 'p99', value: ms(single.p99), target: '< 10 ms', ok: single.p99 < 10 },
        ],
        data: { rounds: rounds.single, first_search_of_each_word_ms: { median: quantile(cold, 0.5), slowest: cold.at(-1) } },
      },
      {
        label: `${items} items, ${clients} clients`,
        mapshelf: loadText(loaded),
        reference: `/health ${healthPerSecond.toFixed(0)}/s`,
        ratio,
        rss,
        checks: [{ name: 'ratio', value: ratio, target: '≥ 0.4', ok: ratio >= 0.4 }, rssCheck('server RSS', rss.server_mb)],
        data: { rounds: { search: rounds.search, health: rounds.health } },
      },
    ];
    if (second) {
      const secondRss = second.rss.take();
      const loaded2 = medians(rounds.search2);
      const health2 = medians(rounds.health2).perSecond;
      const ratio2 = +(loaded2.perSecond / health2).toFixed(2);
      rows.push({
        label: `${items} items, ${clients} clients, 2 API processes`,
        mapshelf: loadText(loaded2),
        reference: `/health ${health2.toFixed(0)}/s`,
        ratio: ratio2,
        rss: { server_mb: Math.max(rss.server_mb, secondRss.server_mb), children_mb: Math.max(rss.children_mb, secondRss.children_mb), processes_mb: [rss.server_mb, secondRss.server_mb] },
        checks: [
          { name: 'ratio', value: ratio2, target: '≥ 0.4', ok: ratio2 >= 0.4 },
          rssCheck('first process RSS', rss.server_mb),
          rssCheck('second process RSS', secondRss.server_mb),
        ],
        notes: `requests in turn to each process; against 1 process: search × ${(loaded2.perSecond / loaded.perSecond).toFixed(2)}, /health × ${(health2 / healthPerSecond).toFixed(2)}`,
        data: { rounds: { search: rounds.search2, health: rounds.health2 } },
      });
    }
    return rows;
  },
};
