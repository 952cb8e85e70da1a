// Case 5: iterating every catalog item with the SDK's `for await` vs a hand-written fetch loop
// over the same pages (Link rel="page-next"), as the admin, who sees every item.
import { Client } from '../../packages/sdk/dist/index.js';
import { alternate } from '../lib.mjs';
import { comparison } from '../report.mjs';
import { catalogFor } from './catalog.mjs';

const pageSize = 100;

/** The plain loop a user would write: fetch, parse, follow the next link. */
async function fetchLoop(base, token) {
  let url = `${base}/services/api/v1/data/?page_size=${pageSize}`;
  let count = 0;
  while (url) {
    const res = await fetch(url, { headers: { authorization: `key ${token}`, accept: 'application/json' } });
    count += (await res.json()).length;
    url = /<([^>]+)>;\s*rel="page-next"/.exec(res.headers.get('link') ?? '')?.[1];
  }
  return count;
}

async function sdkLoop(base, token) {
  const client = new Client({ baseUrl: base, token });
  let count = 0;
  for await (const _item of client.catalog.list().pageSize(pageSize)) count++;
  return count;
}

export default {
  id: 'sdk-iteration',
  title: "Iterating the whole catalog with the SDK's for await vs a plain fetch loop",
  target: 'ratio ≤ 1.15',
  async run(ctx) {
    const catalog = await catalogFor(ctx);
    const server = await ctx.server([], catalog.dir, catalog.database);
    const expected = await fetchLoop(server.url, ctx.token); // warm-up, and the count both must see
    server.rss.take();
    const check = (side) => async () => {
      const n = await (side === 'sdk' ? sdkLoop : fetchLoop)(server.url, ctx.token);
      if (n !== expected) throw new Error(`${side} saw ${n} items, not ${expected}`);
    };
    const times = await alternate(ctx.runs, check('sdk'), check('fetch'), ctx.log);
    return [comparison(`${expected.toLocaleString('en')} items, pages of ${pageSize}`, times, { ratioMax: 1.15, rss: server.rss.take() })];
  },
};
