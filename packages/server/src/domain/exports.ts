import type { ExportRow } from '../store/schema.js';
import type { Actor } from './actor.js';
import type { DomainContext } from './context.js';
import type { ListQuery, ListResult } from './list-query.js';
import { exportOwnerScope } from './policies/exports.js';

/** The caller's exports, or everyone's for a site admin. Creating exports comes with the exports issue. */
export async function listExports(ctx: DomainContext, actor: Actor, query: ListQuery): Promise<ListResult<ExportRow>> {
  return ctx.store.exports.list(query, exportOwnerScope(actor));
}
