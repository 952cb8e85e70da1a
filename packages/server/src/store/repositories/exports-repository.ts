import type { Insertable, Kysely, Updateable } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database, ExportRow, ExportsTable } from '../schema.js';

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

  async insert(row: Insertable<ExportsTable>): Promise<number> {
    return (await this.db.insertInto('exports').values(row).returning('id').executeTakeFirstOrThrow()).id;
  }

  async findById(id: number): Promise<ExportRow | undefined> {
    return this.db.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async update(id: number, changes: Updateable<ExportsTable>): Promise<void> {
    await this.db.updateTable('exports').set(changes).where('id', '=', id).execute();
  }

  /**
   * Moves an export from `processing` to another state; false if it had already left it (a
   * cancel and a finishing job race, and only the first one wins).
   */
  async settle(id: number, changes: Updateable<ExportsTable>): Promise<boolean> {
    const result = await this.db.updateTable('exports').set(changes).where('id', '=', id).where('state', '=', 'processing').executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Completed exports whose expiry time has passed. */
  async listExpired(now: string): Promise<ExportRow[]> {
    return this.db.selectFrom('exports').selectAll().where('state', '=', 'complete').where('expires_at', '<=', now).execute();
  }
}
