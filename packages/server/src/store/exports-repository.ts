import type { Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../domain/list-query.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database, ExportRow } from './schema.js';

const fields: FieldMap = {
  id: 'exports.id',
  name: 'exports.name',
  state: 'exports.state',
  created_at: 'exports.created_at',
  owner: 'exports.owner_id',
};

export class ExportsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Lists exports, all of them or one owner's. */
  async list(query: ListQuery, ownerId: number | null): Promise<ListResult<ExportRow>> {
    return runListQuery(
      this.db,
      (db) => {
        const base = db.selectFrom('exports').selectAll('exports');
        return ownerId === null ? base : base.where('exports.owner_id', '=', ownerId);
      },
      query,
      fields,
      'exports.id',
    );
  }
}
