// The seeded catalog that the search and SDK cases share (one seeding per run, or a kept folder).
import { join } from 'node:path';
import { seededCatalog } from '../catalog-seed.mjs';

const sizes = {
  smoke: { items: 40, layers: 10, tables: 4 },
  quick: { items: 5_000, layers: 300, tables: 100 },
  full: { items: 100_000, layers: 1_500, tables: 500 },
};

/** `--items 100000`, `100k` or `1m`. */
function itemCount(text) {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(String(text));
  if (!match) throw new Error(`--items ${text}: give a number such as 100000, 100k or 1m`);
  return Math.round(Number(match[1]) * { '': 1, k: 1e3, m: 1e6 }[match[2].toLowerCase()]);
}

/** The catalog folder (`--catalog DIR` to keep and reuse one) and its reader's token. */
export async function catalogFor(ctx) {
  const dir = ctx.args.catalog ? String(ctx.args.catalog) : join(ctx.sharedDir, 'catalog');
  const size = { ...sizes[ctx.mode], ...(ctx.args.items && { items: itemCount(ctx.args.items) }) };
  const seeded = await seededCatalog(dir, ctx.token, size, ctx.log);
  return { dir, items: seeded.items ?? size.items, readerToken: seeded.readerToken };
}
