import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { ItemVisibility } from '../../domain/policies/items.js';
import { visibleItem } from './item-visibility.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database, LayerRow, MetadataDocumentsTable, VersionRow, VersionsTable } from '../schema.js';

/** A layer seen through one of its versions: what the Data API calls a layer object. */
export interface LayerVersionRow extends VersionRow {
  layer_type: LayerRow['type'];
  group_id: number;
  owner_id: number;
  published_version_id: number | null;
  first_published_at: string | null;
  layer_created_at: string;
  latest_version_id: number;
}

const layerFields: FieldMap = {
  id: 'layers.id',
  title: 'v.title',
  group: 'layers.group_id',
  created_at: 'layers.created_at',
  updated_at: 'v.updated_at',
  published_at: 'v.published_at',
  version_status: 'v.status',
  kind: { condition: (eb, _l, value) => (value === 'table' ? eb('layers.type', '=', 'table') : eb('layers.type', '=', 'layer')) },
  type: 'layers.type',
  tag: { condition: (_eb, _l, value) => sql<boolean>`exists (select 1 from json_each(v.tags) where json_each.value = ${value})` },
  category: { condition: (_eb, _l, value) => sql<boolean>`exists (select 1 from json_each(v.categories) where json_each.value = ${value})` },
};

const versionFields: FieldMap = {
  id: 'versions.id',
  number: 'versions.number',
  status: 'versions.status',
  created_at: 'versions.created_at',
  published_at: 'versions.published_at',
};

export type LayerListMode = 'published' | 'drafts' | 'latest';

/** Layers and tables with their versions. */
export class LayersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private layerVersions(db: Kysely<Database>) {
    return db
      .selectFrom('layers')
      .innerJoin('versions as v', 'v.layer_id', 'layers.id')
      .selectAll('v')
      .select([
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
  async list(
    type: LayerRow['type'],
    mode: LayerListMode,
    query: ListQuery,
    visibility: ItemVisibility,
  ): Promise<ListResult<LayerVersionRow>> {
    return runListQuery(
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
      layerFields,
      'layers.id',
    );
  }

  async findLayer(id: number): Promise<LayerRow | undefined> {
    return this.db.selectFrom('layers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findLayerVersion(versionId: number): Promise<LayerVersionRow | undefined> {
    return this.layerVersions(this.db).where('v.id', '=', versionId).executeTakeFirst();
  }

  async findVersion(versionId: number): Promise<VersionRow | undefined> {
    return this.db.selectFrom('versions').selectAll().where('id', '=', versionId).executeTakeFirst();
  }

  async latestVersion(layerId: number): Promise<VersionRow | undefined> {
    return this.db.selectFrom('versions').selectAll().where('layer_id', '=', layerId).orderBy('number', 'desc').limit(1).executeTakeFirst();
  }

  /** The newest version with imported data older than `number`, to compare a new import with. */
  async previousImported(layerId: number, number: number): Promise<VersionRow | undefined> {
    return this.db
      .selectFrom('versions')
      .selectAll()
      .where('layer_id', '=', layerId)
      .where('number', '<', number)
      .where('status', '=', 'ok')
      .orderBy('number', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async listVersions(layerId: number, query: ListQuery): Promise<ListResult<LayerVersionRow>> {
    return runListQuery(
      this.db,
      (db) => this.layerVersions(db).where('layers.id', '=', layerId),
      query,
      { ...versionFields, id: 'v.id', number: 'v.number', status: 'v.status', created_at: 'v.created_at', published_at: 'v.published_at' },
      'v.id',
    );
  }

  async createLayer(row: Omit<LayerRow, 'id'>): Promise<LayerRow> {
    return this.db.insertInto('layers').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async updateLayer(id: number, patch: Partial<Omit<LayerRow, 'id'>>): Promise<void> {
    await this.db.updateTable('layers').set(patch).where('id', '=', id).execute();
  }

  async deleteLayer(id: number): Promise<void> {
    await this.db.deleteFrom('layers').where('id', '=', id).execute();
  }

  async createVersion(row: Insertable<VersionsTable>): Promise<VersionRow> {
    return this.db.insertInto('versions').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async updateVersion(id: number, patch: Updateable<VersionsTable>): Promise<void> {
    await this.db.updateTable('versions').set(patch).where('id', '=', id).execute();
  }

  async deleteVersion(id: number): Promise<void> {
    await this.db.deleteFrom('versions').where('id', '=', id).execute();
  }

  async versionFiles(layerId: number): Promise<string[]> {
    const rows = await this.db.selectFrom('versions').select('data_file').where('layer_id', '=', layerId).execute();
    return rows.flatMap((r) => (r.data_file ? [r.data_file] : []));
  }

  async metadataDocument(versionId: number): Promise<MetadataDocumentsTable | undefined> {
    return this.db.selectFrom('metadata_documents').selectAll().where('version_id', '=', versionId).executeTakeFirst();
  }

  async putMetadataDocument(row: MetadataDocumentsTable): Promise<void> {
    await this.db
      .insertInto('metadata_documents')
      .values(row)
      .onConflict((oc) => oc.column('version_id').doUpdateSet({ format: row.format, xml: row.xml, created_at: row.created_at }))
      .execute();
  }
}
