import type { Store } from '../store/store.js';

/** What every use case needs: the store and a clock (a test can fix the time). */
export interface DomainContext {
  store: Store;
  now(): Date;
}

export function createDomainContext(store: Store): DomainContext {
  return { store, now: () => new Date() };
}

export function timestamp(ctx: DomainContext): string {
  return ctx.now().toISOString();
}
