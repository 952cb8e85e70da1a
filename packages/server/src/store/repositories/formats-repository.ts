import type { Kysely } from 'kysely';
import type { Format, FormatPatch, FormatType, NewFormat } from '../../domain/model/formats.js';
import type * as port from '../../domain/ports/store.js';
import { readJson, writeJson } from './columns.js';
import type { Database, FormatRow } from '../schema.js';
import { newUid } from './uid.js';

const jsonColumns = ['aliases', 'versions'] as const;
const formatOf = (row: FormatRow): Format => readJson(row, jsonColumns) as Format;

/** The formats records name. */
export class FormatsRepository implements port.FormatsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findByCode(code: string): Promise<Format | undefined> {
    const row = await this.db.selectFrom('formats').selectAll().where('code', '=', code).executeTakeFirst();
    return row && formatOf(row);
  }

  /** Every format (of one type), by code. */
  async list(type?: FormatType): Promise<Format[]> {
    let query = this.db.selectFrom('formats').selectAll();
    if (type !== undefined) query = query.where('type', '=', type);
    return (await query.orderBy('code').execute()).map(formatOf);
  }

  async create(format: NewFormat): Promise<Format> {
    return formatOf(await this.db.insertInto('formats').values({ ...writeJson(format, jsonColumns), uid: newUid() }).returningAll().executeTakeFirstOrThrow());
  }

  async update(id: number, patch: FormatPatch): Promise<Format> {
    return formatOf(await this.db.updateTable('formats').set(writeJson(patch, jsonColumns)).where('id', '=', id).returningAll().executeTakeFirstOrThrow());
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('formats').where('id', '=', id).execute();
  }
}
