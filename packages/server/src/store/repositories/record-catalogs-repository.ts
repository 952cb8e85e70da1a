import type { Kysely } from 'kysely';
import type { NewRecordCatalog, RecordCatalog, RecordCatalogPatch } from '../../domain/model/record-catalogs.js';
import type * as port from '../../domain/ports/store.js';
import { readBools, writeBools } from './columns.js';
import type { Database, RecordCatalogRow } from '../schema.js';
import { newUid } from './uid.js';

const catalogOf = (row: RecordCatalogRow): RecordCatalog => readBools(row, ['scan'] as const);

/** Workgroups' catalogs and the records in them. */
export class RecordCatalogsRepository implements port.RecordCatalogsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findByUid(uid: string): Promise<RecordCatalog | undefined> {
    const row = await this.db.selectFrom('record_catalogs').selectAll().where('uid', '=', uid).executeTakeFirst();
    return row && catalogOf(row);
  }

  async findByCode(groupId: number, code: string): Promise<RecordCatalog | undefined> {
    const row = await this.db.selectFrom('record_catalogs').selectAll().where('group_id', '=', groupId).where('code', '=', code).executeTakeFirst();
    return row && catalogOf(row);
  }

  /** A workgroup's catalogs, by name. */
  async listForGroup(groupId: number): Promise<RecordCatalog[]> {
    const rows = await this.db.selectFrom('record_catalogs').selectAll().where('group_id', '=', groupId).orderBy('name').orderBy('id').execute();
    return rows.map(catalogOf);
  }

  /** The catalogs a record is in, by name. */
  async listForRecord(recordId: number): Promise<RecordCatalog[]> {
    const rows = await this.db
      .selectFrom('record_catalogs')
      .innerJoin('record_catalog_members', 'record_catalog_members.catalog_id', 'record_catalogs.id')
      .selectAll('record_catalogs')
      .where('record_catalog_members.record_id', '=', recordId)
      .orderBy('record_catalogs.name')
      .orderBy('record_catalogs.id')
      .execute();
    return rows.map(catalogOf);
  }

  async create(catalog: NewRecordCatalog): Promise<RecordCatalog> {
    return catalogOf(await this.db.insertInto('record_catalogs').values({ ...writeBools(catalog, ['scan'] as const), uid: newUid() }).returningAll().executeTakeFirstOrThrow());
  }

  async update(id: number, patch: RecordCatalogPatch): Promise<RecordCatalog> {
    return catalogOf(await this.db.updateTable('record_catalogs').set(writeBools(patch, ['scan'] as const)).where('id', '=', id).returningAll().executeTakeFirstOrThrow());
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('record_catalogs').where('id', '=', id).execute();
  }

  /** False when the record was in the catalog already. */
  async addRecord(catalogId: number, recordId: number, at: string): Promise<boolean> {
    const added = await this.db.insertInto('record_catalog_members').values({ catalog_id: catalogId, record_id: recordId, added_at: at }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return Number(added.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** False when the record was not in the catalog. */
  async removeRecord(catalogId: number, recordId: number): Promise<boolean> {
    const removed = await this.db.deleteFrom('record_catalog_members').where('catalog_id', '=', catalogId).where('record_id', '=', recordId).executeTakeFirst();
    return Number(removed.numDeletedRows) > 0;
  }

  async recordCounts(catalogIds: readonly number[]): Promise<Map<number, number>> {
    if (catalogIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('record_catalog_members')
      .select(['catalog_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('catalog_id', 'in', catalogIds)
      .groupBy('catalog_id')
      .execute();
    return new Map(rows.map((row) => [row.catalog_id, Number(row.n)]));
  }
}
