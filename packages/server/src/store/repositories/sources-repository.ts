import type { Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { Datasource, DatasourcePatch, NewDatasource, NewScan, NewSource, Scan, ScanPatch, Source, SourcePatch } from '../../domain/model/sources.js';
import type { ItemVisibility } from '../../domain/policies/items.js';
import type * as port from '../../domain/ports/store.js';
import { decodeItems, readJson, writeJson } from './columns.js';
import { visibleItem } from './item-visibility.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database, DatasourceRow, SourceRow } from '../schema.js';
import { newUid } from './uid.js';

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

const sourceJson = ['options'] as const;
const datasourceJson = ['fields', 'extent'] as const;
const sourceOf = (row: SourceRow): Source => readJson(row, sourceJson);
const datasourceOf = (row: DatasourceRow): Datasource => readJson(row, datasourceJson);

/** Upload sources with their scans and datasources. */
export class SourcesRepository implements port.SourcesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: number): Promise<Source | undefined> {
    const row = await this.db.selectFrom('sources').selectAll().where('id', '=', id).executeTakeFirst();
    return row && sourceOf(row);
  }

  async list(query: ListQuery, visibility: ItemVisibility): Promise<ListResult<Source>> {
    const result = await runListQuery(
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
    return decodeItems(result, sourceOf);
  }

  async create(source: NewSource): Promise<Source> {
    const row = await this.db
      .insertInto('sources')
      .values({ ...writeJson(source, sourceJson), uid: newUid() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return sourceOf(row);
  }

  async update(id: number, patch: SourcePatch): Promise<void> {
    await this.db.updateTable('sources').set(writeJson(patch, sourceJson)).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('sources').where('id', '=', id).execute();
  }

  async createScan(row: NewScan): Promise<Scan> {
    return this.db.insertInto('scans').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async findScan(sourceId: number, scanId: number): Promise<Scan | undefined> {
    return this.db.selectFrom('scans').selectAll().where('id', '=', scanId).where('source_id', '=', sourceId).executeTakeFirst();
  }

  async findScanById(scanId: number): Promise<Scan | undefined> {
    return this.db.selectFrom('scans').selectAll().where('id', '=', scanId).executeTakeFirst();
  }

  async listScans(sourceId: number, query: ListQuery): Promise<ListResult<Scan>> {
    return runListQuery(
      this.db,
      (db) => db.selectFrom('scans').selectAll('scans').where('scans.source_id', '=', sourceId),
      query,
      scanFields,
      'scans.id',
    );
  }

  async updateScan(scanId: number, patch: ScanPatch): Promise<void> {
    await this.db.updateTable('scans').set(patch).where('id', '=', scanId).execute();
  }

  /** Scans not yet finished, newest first. */
  async activeScans(sourceId: number): Promise<Scan[]> {
    return this.db
      .selectFrom('scans')
      .selectAll()
      .where('source_id', '=', sourceId)
      .where('status', 'in', ['queued', 'scanning'])
      .orderBy('id', 'desc')
      .execute();
  }

  async listDatasources(sourceId: number, query: ListQuery): Promise<ListResult<Datasource>> {
    const result = await runListQuery(
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
    return decodeItems(result, datasourceOf);
  }

  async findDatasource(id: number): Promise<Datasource | undefined> {
    const row = await this.db.selectFrom('datasources').selectAll().where('id', '=', id).executeTakeFirst();
    return row && datasourceOf(row);
  }

  async currentDatasources(sourceId: number): Promise<Datasource[]> {
    const rows = await this.db.selectFrom('datasources').selectAll().where('source_id', '=', sourceId).where('removed_at', 'is', null).execute();
    return rows.map(datasourceOf);
  }

  /** Whether any scan ever found a datasource in the source, removed ones included. */
  async hadDatasources(sourceId: number): Promise<boolean> {
    return (await this.db.selectFrom('datasources').select('id').where('source_id', '=', sourceId).limit(1).executeTakeFirst()) !== undefined;
  }

  async insertDatasource(datasource: NewDatasource): Promise<void> {
    const row = writeJson(datasource, datasourceJson);
    await this.db
      .insertInto('datasources')
      .values(row)
      .onConflict((oc) => oc.columns(['source_id', 'upload_path', 'layer_name']).doUpdateSet({ ...row, removed_at: null }))
      .execute();
  }

  async updateDatasource(id: number, patch: DatasourcePatch): Promise<void> {
    await this.db.updateTable('datasources').set(writeJson(patch, datasourceJson)).where('id', '=', id).execute();
  }
}
