// The seeded catalog that the search and SDK cases share (one seeding per run, or a kept folder).
import { join } from 'node:path';
import { seededCatalog } from '../catalog-seed.mjs';

const sizes = {
  smoke: { items: 40, layers: 10, tables: 4 },
  quick: { items: 5_000, layers: 300, tables: 100 },
  full: { items: 100_000, layers: 1_500, tables: 500 },
};

/** The catalog folder (`--catalog DIR` to keep and reuse one) and its reader's token. */
export async function catalogFor(ctx) {
  const dir = ctx.args.catalog ? String(ctx.args.catalog) : join(ctx.sharedDir, 'catalog');
  const size = { ...sizes[ctx.mode], ...(ctx.args.items && { items: Number(ctx.args.items) }) };
  const seeded = await seededCatalog(dir, ctx.token, size, ctx.log);
  return { dir, items: seeded.items ?? size.items, readerToken: seeded.readerToken };
}
