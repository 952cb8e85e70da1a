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

/**
 * The catalog's folder and database (null on SQLite), and its reader's token. On SQLite,
 * `--catalog DIR` keeps and reuses the seeded folder; on PostgreSQL the catalog is seeded once
 * per run, in a database of the run's cluster, which goes with it.
 */
export async function catalogFor(ctx) {
  const keep = ctx.args.catalog && ctx.store === 'sqlite';
  if (ctx.args.catalog && !keep) ctx.log(`--catalog is for SQLite: the ${ctx.store} catalog is this run's`);
  const dir = keep ? String(ctx.args.catalog) : join(ctx.sharedDir, 'catalog');
  const size = { ...sizes[ctx.mode], ...(ctx.args.items && { items: itemCount(ctx.args.items) }) };
  const seeded = await seededCatalog(dir, ctx.runDatabase, ctx.token, size, ctx.log);
  return { dir, database: seeded.database ?? null, items: seeded.items ?? size.items, readerToken: seeded.readerToken };
}
