import type { DomainContext } from './context.js';
import type { StoreHealth } from './ports/store.js';

/** The store's health, and whether the server can work on it: it answers, and its schema is this build's. */
export async function storeHealth(ctx: DomainContext): Promise<{ ok: boolean; database: StoreHealth }> {
  const database = await ctx.store.health();
  return { ok: database.status === 'ok' && database.migration === database.latestMigration, database };
}
