import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { ItemVisibility } from '../../domain/policies/items.js';
import { visibleItem } from './item-visibility.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database, SetItemRow, SetItemType, SetMetadataDocumentsTable, SetRow, SetVersionRow, SetVersionsTable } from '../schema.js';

/** A set seen through one of its versions: what the Data API calls a set object. */
export interface SetVersionView extends SetVersionRow {
  group_id: number;
  owner_id: number;
  published_version_id: number | null;
  first_published_at: string | null;
  set_created_at: string;
  latest_version_id: number;
}

export type SetListMode = 'published' | 'drafts';

const latestVersionId = sql<number>`(select max(id) from set_versions lv where lv.set_id = sets.id)`;

const setFields: FieldMap = {
  id: 'sets.id',
  title: 'v.title',
  group: 'sets.group_id',
  created_at: 'sets.created_at',
  updated_at: 'v.updated_at',
  published_at: 'v.published_at',
  tag: { condition: (_eb, _l, value) => sql<boolean>`exists (select 1 from json_each(v.tags) where json_each.value = ${value})` },
  category: { condition: (_eb, _l, value) => sql<boolean>`exists (select 1 from json_each(v.categories) where json_each.value = ${value})` },
};

/** Sets, their versions and the items each version holds. */
export class SetsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private setVersions(db: Kysely<Database>) {
    return db
      .selectFrom('sets')
      .innerJoin('set_versions as v', 'v.set_id', 'sets.id')
      .selectAll('v')
      .select([
        'sets.group_id',
        'sets.owner_id',
        'sets.published_version_id',
        'sets.first_published_at',
        'sets.created_at as set_created_at',
        latestVersionId.as('latest_version_id'),
      ]);
  }

  /** Published sets through their published version, or drafts through the draft. */
  async list(mode: SetListMode, query: ListQuery, visibility: ItemVisibility): Promise<ListResult<SetVersionView>> {
    return runListQuery(
      this.db,
      (db) => {
        const base = this.setVersions(db).where((eb) => visibleItem(eb, 'set', 'sets.id', 'sets.group_id', visibility));
        return mode === 'published'
          ? base.whereRef('v.id', '=', 'sets.published_version_id')
          : base.where('v.id', '=', latestVersionId).where('v.published_at', 'is', null);
      },
      query,
      setFields,
      'sets.id',
    );
  }

  async listVersions(setId: number, query: ListQuery): Promise<ListResult<SetVersionView>> {
    return runListQuery(
      this.db,
      (db) => this.setVersions(db).where('sets.id', '=', setId),
      query,
      { id: 'v.id', number: 'v.number', created_at: 'v.created_at', published_at: 'v.published_at' },
      'v.id',
    );
  }

  async findSet(id: number): Promise<SetRow | undefined> {
    return this.db.selectFrom('sets').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findSetVersion(versionId: number): Promise<SetVersionView | undefined> {
    return this.setVersions(this.db).where('v.id', '=', versionId).executeTakeFirst();
  }

  async latestVersion(setId: number): Promise<SetVersionRow | undefined> {
    return this.db.selectFrom('set_versions').selectAll().where('set_id', '=', setId).orderBy('number', 'desc').limit(1).executeTakeFirst();
  }

  async countVersions(setId: number): Promise<number> {
    const row = await this.db.selectFrom('set_versions').select((eb) => eb.fn.countAll<number>().as('n')).where('set_id', '=', setId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async createSet(row: Omit<SetRow, 'id'>): Promise<SetRow> {
    return this.db.insertInto('sets').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async deleteSet(id: number): Promise<void> {
    await this.db.deleteFrom('sets').where('id', '=', id).execute();
  }

  async createVersion(row: Insertable<SetVersionsTable>): Promise<SetVersionRow> {
    return this.db.insertInto('set_versions').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async updateVersion(id: number, patch: Updateable<SetVersionsTable>): Promise<void> {
    await this.db.updateTable('set_versions').set(patch).where('id', '=', id).execute();
  }

  async deleteVersion(id: number): Promise<void> {
    await this.db.deleteFrom('set_versions').where('id', '=', id).execute();
  }

  async items(versionId: number): Promise<SetItemRow[]> {
    return this.db.selectFrom('set_items').selectAll().where('set_version_id', '=', versionId).orderBy('position').execute();
  }

  async replaceItems(versionId: number, items: ReadonlyArray<{ item_type: SetItemType; item_id: number }>): Promise<void> {
    await this.db.deleteFrom('set_items').where('set_version_id', '=', versionId).execute();
    if (items.length === 0) return;
    await this.db
      .insertInto('set_items')
      .values(items.map(({ item_type, item_id }, position) => ({ set_version_id: versionId, position, item_type, item_id })))
      .execute();
  }

  /** Ids of the sets with a version that holds this item. */
  async setsHolding(type: SetItemType, itemId: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('set_items')
      .innerJoin('set_versions', 'set_versions.id', 'set_items.set_version_id')
      .select('set_versions.set_id')
      .distinct()
      .where('set_items.item_type', '=', type)
      .where('set_items.item_id', '=', itemId)
      .execute();
    return rows.map((r) => r.set_id);
  }

  /** Marks a version published and points its set at it. */
  async publishVersion(versionId: number, setId: number, at: string): Promise<void> {
    await this.db.updateTable('set_versions').set({ published_at: at, updated_at: at }).where('id', '=', versionId).execute();
    await this.db
      .updateTable('sets')
      .set((eb) => ({ published_version_id: versionId, first_published_at: eb.fn.coalesce('first_published_at', eb.val(at)), updated_at: at }))
      .where('id', '=', setId)
      .execute();
  }

  async metadataDocument(versionId: number): Promise<SetMetadataDocumentsTable | undefined> {
    return this.db.selectFrom('set_metadata_documents').selectAll().where('set_version_id', '=', versionId).executeTakeFirst();
  }

  async putMetadataDocument(row: SetMetadataDocumentsTable): Promise<void> {
    await this.db
      .insertInto('set_metadata_documents')
      .values(row)
      .onConflict((oc) => oc.column('set_version_id').doUpdateSet({ format: row.format, xml: row.xml, created_at: row.created_at }))
      .execute();
  }
}
