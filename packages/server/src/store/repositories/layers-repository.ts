import { sql, type Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { Layer, LayerListMode, LayerPatch, LayerType, LayerView, NewLayer, NewVersion, Version, VersionPatch } from '../../domain/model/layers.js';
import type { MetadataDocument } from '../../domain/model/metadata.js';
import type { ItemVisibility } from '../../domain/policies/items.js';
import type * as port from '../../domain/ports/store.js';
import { decodeItems, readJson, writeJson } from './columns.js';
import { visibleItem } from './item-visibility.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { SqlDialect } from './sql-dialect.js';
import type { Database, VersionRow } from '../schema.js';
import { newUid } from './uid.js';

const jsonColumns = ['tags', 'categories', 'datasources', 'fields', 'primary_key_fields', 'extent', 'change_counts'] as const;
/** A version row decoded, alone or joined with its item's columns. */
const versionOf = <R extends VersionRow>(row: R) => readJson(row, jsonColumns);

const layerFields = (dialect: SqlDialect): FieldMap => ({
  id: 'layers.id',
  title: 'v.title',
  group: 'layers.group_id',
  created_at: 'layers.created_at',
  updated_at: 'v.updated_at',
  published_at: 'v.published_at',
  version_status: 'v.status',
  kind: { condition: (eb, _l, value) => (value === 'table' ? eb('layers.type', '=', 'table') : eb('layers.type', '=', 'layer')) },
  type: 'layers.type',
  tag: { condition: (_eb, _l, value) => dialect.jsonArrayHas('v.tags', value) },
  category: { condition: (_eb, _l, value) => dialect.jsonArrayHas('v.categories', value) },
});

const versionFields: FieldMap = {
  id: 'versions.id',
  number: 'versions.number',
  status: 'versions.status',
  created_at: 'versions.created_at',
  published_at: 'versions.published_at',
};

/** Layers and tables with their versions. */
export class LayersRepository implements port.LayersRepository {
  private readonly fields: FieldMap;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: SqlDialect,
  ) {
    this.fields = layerFields(dialect);
  }

  private layerVersions(db: Kysely<Database>) {
    return db
      .selectFrom('layers')
      .innerJoin('versions as v', 'v.layer_id', 'layers.id')
      .selectAll('v')
      .select([
        'layers.uid as layer_uid',
        'layers.type as layer_type',
        'layers.group_id',
        'layers.owner_id',
        'layers.published_version_id',
        'layers.first_published_at',
        'layers.created_at as layer_created_at',
        sql<number>`(select max(id) from versions lv where lv.layer_id = layers.id)`.as('latest_version_id'),
      ]);
  }

  /**
   * Lists layers, each through its published version, or its draft, or its latest: `layer`
   * lists layers and tables (as Koordinates' `/layers/` does), `table` tables only.
   */
  async list(type: LayerType, mode: LayerListMode, query: ListQuery, visibility: ItemVisibility): Promise<ListResult<LayerView>> {
    const result = await runListQuery(
      this.db,
      (db) => {
        let base = this.layerVersions(db);
        if (type === 'table') base = base.where('layers.type', '=', 'table');
        if (mode === 'published') base = base.whereRef('v.id', '=', 'layers.published_version_id');
        else {
          base = base.where('v.id', '=', sql<number>`(select max(id) from versions lv where lv.layer_id = layers.id)`);
          if (mode === 'drafts') base = base.where('v.published_at', 'is', null);
        }
        return base.where((eb) => visibleItem(eb, 'layer', 'layers.id', 'layers.group_id', visibility));
      },
      query,
      this.fields,
      'layers.id',
    );
    return decodeItems(result, versionOf);
  }

  async findLayer(id: number): Promise<Layer | undefined> {
    return this.db.selectFrom('layers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findLayerVersion(versionId: number): Promise<LayerView | undefined> {
    const row = await this.layerVersions(this.db).where('v.id', '=', versionId).executeTakeFirst();
    return row && versionOf(row);
  }

  async findVersion(versionId: number): Promise<Version | undefined> {
    const row = await this.db.selectFrom('versions').selectAll().where('id', '=', versionId).executeTakeFirst();
    return row && versionOf(row);
  }

  async latestVersion(layerId: number): Promise<Version | undefined> {
    const row = await this.db.selectFrom('versions').selectAll().where('layer_id', '=', layerId).orderBy('number', 'desc').limit(1).executeTakeFirst();
    return row && versionOf(row);
  }

  /** The newest version with imported data older than `number`, to compare a new import with. */
  async previousImported(layerId: number, number: number): Promise<Version | undefined> {
    const row = await this.db
      .selectFrom('versions')
      .selectAll()
      .where('layer_id', '=', layerId)
      .where('number', '<', number)
      .where('status', '=', 'ok')
      .orderBy('number', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && versionOf(row);
  }

  async listVersions(layerId: number, query: ListQuery): Promise<ListResult<LayerView>> {
    const result = await runListQuery(
      this.db,
      (db) => this.layerVersions(db).where('layers.id', '=', layerId),
      query,
      { ...versionFields, id: 'v.id', number: 'v.number', status: 'v.status', created_at: 'v.created_at', published_at: 'v.published_at' },
      'v.id',
    );
    return decodeItems(result, versionOf);
  }

  async createLayer(layer: NewLayer): Promise<Layer> {
    return this.db
      .insertInto('layers')
      .values({ ...layer, uid: newUid() })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async updateLayer(id: number, patch: LayerPatch): Promise<void> {
    await this.db.updateTable('layers').set(patch).where('id', '=', id).execute();
  }

  async deleteLayer(id: number): Promise<void> {
    await this.db.deleteFrom('layers').where('id', '=', id).execute();
  }

  async createVersion(version: NewVersion): Promise<Version> {
    return versionOf(await this.db.insertInto('versions').values(writeJson(version, jsonColumns)).returningAll().executeTakeFirstOrThrow());
  }

  async updateVersion(id: number, patch: VersionPatch): Promise<void> {
    await this.db.updateTable('versions').set(writeJson(patch, jsonColumns)).where('id', '=', id).execute();
  }

  async deleteVersion(id: number): Promise<void> {
    await this.db.deleteFrom('versions').where('id', '=', id).execute();
  }

  async versionFiles(layerId: number): Promise<string[]> {
    const rows = await this.db.selectFrom('versions').select('data_file').where('layer_id', '=', layerId).execute();
    return rows.flatMap((r) => (r.data_file ? [r.data_file] : []));
  }

  async metadataDocument(versionId: number): Promise<MetadataDocument | undefined> {
    return this.db.selectFrom('metadata_documents').selectAll().where('version_id', '=', versionId).executeTakeFirst();
  }

  async putMetadataDocument(row: MetadataDocument): Promise<void> {
    await this.db
      .insertInto('metadata_documents')
      .values(row)
      .onConflict((oc) => oc.column('version_id').doUpdateSet({ format: row.format, xml: row.xml, created_at: row.created_at }))
      .execute();
  }
}
