import type { Insertable, Kysely, Updateable } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { Export, ExportPatch, NewExport } from '../../domain/model/exports.js';
import type * as port from '../../domain/ports/store.js';
import { decodeItems, readJson, writeJson } from './columns.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database, ExportRow, ExportsTable } from '../schema.js';

const fields: FieldMap = {
  id: 'exports.id',
  name: 'exports.name',
  state: 'exports.state',
  created_at: 'exports.created_at',
  owner: 'exports.owner_id',
};

const jsonColumns = ['formats', 'items', 'crop_geometry', 'options'] as const;

// `extent` is JSON text on every engine (it may be a bare JSON string), so it is parsed here, not by `readJson`.
function exportOf(row: ExportRow): Export {
  return { ...readJson(row, jsonColumns), extent: row.extent === null ? null : (JSON.parse(row.extent) as unknown) };
}

function encode(changes: NewExport): Insertable<ExportsTable>;
function encode(changes: ExportPatch): Updateable<ExportsTable>;
function encode(changes: ExportPatch): Updateable<ExportsTable> {
  const { extent, ...rest } = changes;
  return { ...writeJson(rest, jsonColumns), ...(extent !== undefined && { extent: extent === null ? null : JSON.stringify(extent) }) };
}

export class ExportsRepository implements port.ExportsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Lists exports, all of them or one owner's. */
  async list(query: ListQuery, ownerId: number | null): Promise<ListResult<Export>> {
    const result = await runListQuery(
      this.db,
      (db) => {
        const base = db.selectFrom('exports').selectAll('exports');
        return ownerId === null ? base : base.where('exports.owner_id', '=', ownerId);
      },
      query,
      fields,
      'exports.id',
    );
    return decodeItems(result, exportOf);
  }

  async insert(row: NewExport): Promise<number> {
    return (await this.db.insertInto('exports').values(encode(row)).returning('id').executeTakeFirstOrThrow()).id;
  }

  async findById(id: number): Promise<Export | undefined> {
    const row = await this.db.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirst();
    return row && exportOf(row);
  }

  async update(id: number, changes: ExportPatch): Promise<void> {
    await this.db.updateTable('exports').set(encode(changes)).where('id', '=', id).execute();
  }

  /**
   * Moves an export from `processing` to another state; false if it had already left it (a
   * cancel and a finishing job race, and only the first one wins).
   */
  async settle(id: number, changes: ExportPatch): Promise<boolean> {
    const result = await this.db.updateTable('exports').set(encode(changes)).where('id', '=', id).where('state', '=', 'processing').executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Completed exports whose expiry time has passed. */
  async listExpired(now: string): Promise<Export[]> {
    return (await this.db.selectFrom('exports').selectAll().where('state', '=', 'complete').where('expires_at', '<=', now).execute()).map(exportOf);
  }
}
