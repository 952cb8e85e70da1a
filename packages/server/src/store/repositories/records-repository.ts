import type { Kysely } from 'kysely';
import type { NewRecordPart, NewRecordSnapshot, NewResourceRecord, RecordPart, RecordPartKind, RecordPartPatch, RecordSnapshot, ResourceRecord, ResourceRecordPatch } from '../../domain/model/records.js';
import type * as port from '../../domain/ports/store.js';
import { readBools, readJson, writeBools, writeJson } from './columns.js';
import type { Database, RecordPartRow, RecordRow } from '../schema.js';
import { newUid } from './uid.js';

const recordOf = (row: RecordRow): ResourceRecord => readBools(readJson(row, ['fields'] as const), ['series'] as const) as ResourceRecord;
const encodedRecord = <R extends Partial<ResourceRecord>>(row: R) => writeBools(writeJson(row, ['fields'] as const), ['series'] as const);
const partOf = (row: RecordPartRow): RecordPart => readJson(row, ['body'] as const) as RecordPart;

const itemColumn = { layer: 'layer_id', set: 'set_id', document: 'document_id' } as const;

/** Metadata records, and what each holds in lists (its parts). */
export class RecordsRepository implements port.RecordsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findByUid(uid: string): Promise<ResourceRecord | undefined> {
    const row = await this.db.selectFrom('records').selectAll().where('uid', '=', uid).executeTakeFirst();
    return row && recordOf(row);
  }

  async findById(id: number): Promise<ResourceRecord | undefined> {
    const row = await this.db.selectFrom('records').selectAll().where('id', '=', id).executeTakeFirst();
    return row && recordOf(row);
  }

  async uidsForGroup(groupId: number): Promise<string[]> {
    return (await this.db.selectFrom('records').select('uid').where('group_id', '=', groupId).execute()).map((row) => row.uid);
  }

  async findForItem(kind: port.RecordItemKind, id: number): Promise<ResourceRecord | undefined> {
    const row = await this.db.selectFrom('records').selectAll().where(itemColumn[kind], '=', id).executeTakeFirst();
    return row && recordOf(row);
  }

  async create(record: NewResourceRecord): Promise<ResourceRecord> {
    const row = await this.db.insertInto('records').values(encodedRecord({ ...record, uid: record.uid ?? newUid() }) as never).returningAll().executeTakeFirstOrThrow();
    return recordOf(row);
  }

  async update(id: number, patch: ResourceRecordPatch): Promise<ResourceRecord> {
    const row = await this.db.updateTable('records').set(encodedRecord(patch) as never).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    return recordOf(row);
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('records').where('id', '=', id).execute();
  }

  async parts(recordId: number, kind?: RecordPartKind): Promise<RecordPart[]> {
    let query = this.db.selectFrom('record_parts').selectAll().where('record_id', '=', recordId);
    if (kind !== undefined) query = query.where('kind', '=', kind);
    return (await query.orderBy('id').execute()).map(partOf);
  }

  async findPart(uid: string): Promise<RecordPart | undefined> {
    const row = await this.db.selectFrom('record_parts').selectAll().where('uid', '=', uid).executeTakeFirst();
    return row && partOf(row);
  }

  async findPartByRef(recordId: number, kind: RecordPartKind, ref: string): Promise<RecordPart | undefined> {
    const row = await this.db.selectFrom('record_parts').selectAll().where('record_id', '=', recordId).where('kind', '=', kind).where('ref', '=', ref).executeTakeFirst();
    return row && partOf(row);
  }

  async addPart(part: NewRecordPart): Promise<RecordPart> {
    const row = await this.db.insertInto('record_parts').values(writeJson({ ...part, uid: part.uid ?? newUid() }, ['body'] as const)).returningAll().executeTakeFirstOrThrow();
    return partOf(row);
  }

  async updatePart(id: number, patch: RecordPartPatch): Promise<RecordPart> {
    const row = await this.db.updateTable('record_parts').set(writeJson(patch, ['body'] as const)).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    return partOf(row);
  }

  async deletePart(id: number): Promise<void> {
    await this.db.deleteFrom('record_parts').where('id', '=', id).execute();
  }

  async countReferring(kind: RecordPartKind, ref: string, groupId: number): Promise<number> {
    const row = await this.db
      .selectFrom('record_parts')
      .innerJoin('records', 'records.id', 'record_parts.record_id')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('record_parts.kind', '=', kind)
      .where('record_parts.ref', '=', ref)
      .where('records.group_id', '=', groupId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async deleteReferring(kind: RecordPartKind, ref: string): Promise<void> {
    await this.db.deleteFrom('record_parts').where('kind', '=', kind).where('ref', '=', ref).execute();
  }

  async countByType(groupId: number): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('records').select(['type', (eb) => eb.fn.countAll<number | string>().as('n')]).where('group_id', '=', groupId).groupBy('type').execute();
    return new Map(rows.map((row) => [row.type, Number(row.n)]));
  }

  async putSnapshot(snapshot: NewRecordSnapshot): Promise<void> {
    await this.db.insertInto('record_snapshots').values(writeJson(snapshot, ['body'] as const)).execute();
  }

  async snapshotOf(version: { version_id: number } | { set_version_id: number }): Promise<RecordSnapshot | undefined> {
    const query = this.db.selectFrom('record_snapshots').selectAll();
    const row = await ('version_id' in version ? query.where('version_id', '=', version.version_id) : query.where('set_version_id', '=', version.set_version_id)).executeTakeFirst();
    return row && (readJson(row, ['body'] as const) as RecordSnapshot);
  }
}
