import type { Kysely } from 'kysely';
import type { ItemVisibility } from '../../domain/policies/items.js';
import { visibleItem } from './item-visibility.js';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database, DatasourceRow, DatasourcesTable, ScanRow, ScansTable, SourceRow } from '../schema.js';
import type { Insertable, Updateable } from 'kysely';

const sourceFields: FieldMap = {
  id: 'sources.id',
  title: 'sources.title',
  type: 'sources.type',
  group: 'sources.group_id',
  created_at: 'sources.created_at',
  last_scanned_at: 'sources.last_scanned_at',
};

const scanFields: FieldMap = {
  id: 'scans.id',
  status: 'scans.status',
  created_at: 'scans.created_at',
};

const datasourceFields: FieldMap = {
  id: 'datasources.id',
  title: 'datasources.title',
  data_type: 'datasources.data_type',
  format: 'datasources.format',
  geometry_type: 'datasources.geometry_type',
  crs: 'datasources.crs',
  upload_path: 'datasources.upload_path',
};

/** Upload sources with their scans and datasources. */
export class SourcesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: number): Promise<SourceRow | undefined> {
    return this.db.selectFrom('sources').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(query: ListQuery, visibility: ItemVisibility): Promise<ListResult<SourceRow>> {
    return runListQuery(
      this.db,
      (db) => {
        return db
          .selectFrom('sources')
          .selectAll('sources')
          .where((eb) => visibleItem(eb, 'source', 'sources.id', 'sources.group_id', visibility));
      },
      query,
      sourceFields,
      'sources.id',
    );
  }

  async create(row: Omit<SourceRow, 'id'>): Promise<SourceRow> {
    return this.db.insertInto('sources').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async update(id: number, patch: Partial<Omit<SourceRow, 'id'>>): Promise<void> {
    await this.db.updateTable('sources').set(patch).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('sources').where('id', '=', id).execute();
  }

  async createScan(row: Insertable<ScansTable>): Promise<ScanRow> {
    return this.db.insertInto('scans').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async findScan(sourceId: number, scanId: number): Promise<ScanRow | undefined> {
    return this.db.selectFrom('scans').selectAll().where('id', '=', scanId).where('source_id', '=', sourceId).executeTakeFirst();
  }

  async findScanById(scanId: number): Promise<ScanRow | undefined> {
    return this.db.selectFrom('scans').selectAll().where('id', '=', scanId).executeTakeFirst();
  }

  async listScans(sourceId: number, query: ListQuery): Promise<ListResult<ScanRow>> {
    return runListQuery(
      this.db,
      (db) => db.selectFrom('scans').selectAll('scans').where('scans.source_id', '=', sourceId),
      query,
      scanFields,
      'scans.id',
    );
  }

  async updateScan(scanId: number, patch: Updateable<ScansTable>): Promise<void> {
    await this.db.updateTable('scans').set(patch).where('id', '=', scanId).execute();
  }

  /** Scans not yet finished, newest first. */
  async activeScans(sourceId: number): Promise<ScanRow[]> {
    return this.db
      .selectFrom('scans')
      .selectAll()
      .where('source_id', '=', sourceId)
      .where('status', 'in', ['queued', 'scanning'])
      .orderBy('id', 'desc')
      .execute();
  }

  async listDatasources(sourceId: number, query: ListQuery): Promise<ListResult<DatasourceRow>> {
    return runListQuery(
      this.db,
      (db) =>
        db
          .selectFrom('datasources')
          .selectAll('datasources')
          .where('datasources.source_id', '=', sourceId)
          .where('datasources.removed_at', 'is', null),
      query,
      datasourceFields,
      'datasources.id',
    );
  }

  async findDatasource(id: number): Promise<DatasourceRow | undefined> {
    return this.db.selectFrom('datasources').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async currentDatasources(sourceId: number): Promise<DatasourceRow[]> {
    return this.db
      .selectFrom('datasources')
      .selectAll()
      .where('source_id', '=', sourceId)
      .where('removed_at', 'is', null)
      .execute();
  }

  /** Whether any scan ever found a datasource in the source, removed ones included. */
  async hadDatasources(sourceId: number): Promise<boolean> {
    return (await this.db.selectFrom('datasources').select('id').where('source_id', '=', sourceId).limit(1).executeTakeFirst()) !== undefined;
  }

  async insertDatasource(row: Insertable<DatasourcesTable>): Promise<void> {
    await this.db
      .insertInto('datasources')
      .values(row)
      .onConflict((oc) => oc.columns(['source_id', 'upload_path', 'layer_name']).doUpdateSet({ ...row, removed_at: null }))
      .execute();
  }

  async updateDatasource(id: number, patch: Updateable<DatasourcesTable>): Promise<void> {
    await this.db.updateTable('datasources').set(patch).where('id', '=', id).execute();
  }
}
