import { sql, type Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { SetMetadataDocument } from '../../domain/model/metadata.js';
import type { ItemSet, NewItemSet, NewSetVersion, SetItem, SetItemType, SetListMode, SetVersion, SetVersionPatch, SetView } from '../../domain/model/sets.js';
import type { ItemVisibility } from '../../domain/policies/items.js';
import type * as port from '../../domain/ports/store.js';
import { decodeItems, readJson, writeJson } from './columns.js';
import { visibleItem } from './item-visibility.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { SqlDialect } from './sql-dialect.js';
import type { Database, SetVersionRow } from '../schema.js';
import { newUid } from './uid.js';

const jsonColumns = ['tags', 'categories', 'settings'] as const;
/** A version row decoded, alone or joined with its item's columns. */
const versionOf = <R extends SetVersionRow>(row: R) => readJson(row, jsonColumns);

const latestVersionId = sql<number>`(select max(id) from set_versions lv where lv.set_id = sets.id)`;

const setFields = (dialect: SqlDialect): FieldMap => ({
  id: 'sets.id',
  title: 'v.title',
  group: 'sets.group_id',
  created_at: 'sets.created_at',
  updated_at: 'v.updated_at',
  published_at: 'v.published_at',
  tag: { condition: (_eb, _l, value) => dialect.jsonArrayHas('v.tags', value) },
  category: { condition: (_eb, _l, value) => dialect.jsonArrayHas('v.categories', value) },
});

/** Sets, their versions and the items each version holds. */
export class SetsRepository implements port.SetsRepository {
  private readonly fields: FieldMap;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: SqlDialect,
  ) {
    this.fields = setFields(dialect);
  }

  private setVersions(db: Kysely<Database>) {
    return db
      .selectFrom('sets')
      .innerJoin('set_versions as v', 'v.set_id', 'sets.id')
      .selectAll('v')
      .select([
        'sets.uid as set_uid',
        'sets.group_id',
        'sets.owner_id',
        'sets.published_version_id',
        'sets.first_published_at',
        'sets.created_at as set_created_at',
        latestVersionId.as('latest_version_id'),
      ]);
  }

  /** Published sets through their published version, or drafts through the draft. */
  async list(mode: SetListMode, query: ListQuery, visibility: ItemVisibility): Promise<ListResult<SetView>> {
    const result = await runListQuery(
      this.db,
      (db) => {
        const base = this.setVersions(db).where((eb) => visibleItem(eb, 'set', 'sets.id', 'sets.group_id', visibility));
        return mode === 'published'
          ? base.whereRef('v.id', '=', 'sets.published_version_id')
          : base.where('v.id', '=', latestVersionId).where('v.published_at', 'is', null);
      },
      query,
      this.fields,
      'sets.id',
    );
    return decodeItems(result, versionOf);
  }

  async listVersions(setId: number, query: ListQuery): Promise<ListResult<SetView>> {
    const result = await runListQuery(
      this.db,
      (db) => this.setVersions(db).where('sets.id', '=', setId),
      query,
      { id: 'v.id', number: 'v.number', created_at: 'v.created_at', published_at: 'v.published_at' },
      'v.id',
    );
    return decodeItems(result, versionOf);
  }

  async findSet(id: number): Promise<ItemSet | undefined> {
    return this.db.selectFrom('sets').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findSetVersion(versionId: number): Promise<SetView | undefined> {
    const row = await this.setVersions(this.db).where('v.id', '=', versionId).executeTakeFirst();
    return row && versionOf(row);
  }

  async latestVersion(setId: number): Promise<SetVersion | undefined> {
    const row = await this.db.selectFrom('set_versions').selectAll().where('set_id', '=', setId).orderBy('number', 'desc').limit(1).executeTakeFirst();
    return row && versionOf(row);
  }

  async countVersions(setId: number): Promise<number> {
    const row = await this.db.selectFrom('set_versions').select((eb) => eb.fn.countAll<number>().as('n')).where('set_id', '=', setId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async createSet(set: NewItemSet): Promise<ItemSet> {
    return this.db
      .insertInto('sets')
      .values({ ...set, uid: newUid() })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async deleteSet(id: number): Promise<void> {
    await this.db.deleteFrom('sets').where('id', '=', id).execute();
  }

  async createVersion(version: NewSetVersion): Promise<SetVersion> {
    return versionOf(await this.db.insertInto('set_versions').values(writeJson(version, jsonColumns)).returningAll().executeTakeFirstOrThrow());
  }

  async updateVersion(id: number, patch: SetVersionPatch): Promise<void> {
    await this.db.updateTable('set_versions').set(writeJson(patch, jsonColumns)).where('id', '=', id).execute();
  }

  async deleteVersion(id: number): Promise<void> {
    await this.db.deleteFrom('set_versions').where('id', '=', id).execute();
  }

  async items(versionId: number): Promise<SetItem[]> {
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

  async metadataDocument(versionId: number): Promise<SetMetadataDocument | undefined> {
    return this.db.selectFrom('set_metadata_documents').selectAll().where('set_version_id', '=', versionId).executeTakeFirst();
  }

  async putMetadataDocument(row: SetMetadataDocument): Promise<void> {
    await this.db
      .insertInto('set_metadata_documents')
      .values(row)
      .onConflict((oc) => oc.column('set_version_id').doUpdateSet({ format: row.format, xml: row.xml, created_at: row.created_at }))
      .execute();
  }
}
