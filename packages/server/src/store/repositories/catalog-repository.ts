import type { Insertable, Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { ItemVisibility } from '../../domain/policies/items.js';
import type { CatalogSearchIndex } from '../sqlite/catalog-search-index.js';
import type { CatalogItemRow, CatalogItemsTable, Database } from '../schema.js';

export { ftsQuery } from '../sqlite/catalog-search-index.js';

export type CatalogView = CatalogItemsTable['view'];

/** Every column but `text_values`, which only the full-text index reads (up to 64 KiB a row). */
const rowColumns = [
  'id', 'kind', 'item_id', 'view', 'version_id', 'version_status', 'group_id', 'title', 'description', 'tags', 'categories', 'fields',
  'license_id', 'license_type', 'minx', 'miny', 'maxx', 'maxy', 'created_at', 'updated_at', 'published_at', 'popularity',
] as const satisfies ReadonlyArray<keyof CatalogItemRow>;

/** The catalog index: searchable rows kept up to date by the domain. */
export class CatalogRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly index: CatalogSearchIndex,
  ) {}

  async upsert(row: Insertable<CatalogItemsTable>): Promise<void> {
    const { popularity: _keep, ...changes } = row;
    await this.db
      .insertInto('catalog_items')
      .values(row)
      .onConflict((oc) => oc.columns(['kind', 'item_id', 'view']).doUpdateSet(changes))
      .execute();
    this.index.itemChanged(row.kind, row.item_id);
  }

  async remove(kind: CatalogItemsTable['kind'], itemId: number, view?: CatalogView): Promise<void> {
    let query = this.db.deleteFrom('catalog_items').where('kind', '=', kind).where('item_id', '=', itemId);
    if (view) query = query.where('view', '=', view);
    await query.execute();
    this.index.itemChanged(kind, itemId);
  }

  /** A version's sampled text values, or undefined if they were never read. */
  async textValues(versionId: number): Promise<string[] | undefined> {
    const row = await this.db.selectFrom('version_text_values').select('text_values').where('version_id', '=', versionId).executeTakeFirst();
    return row && (JSON.parse(row.text_values) as string[]);
  }

  /** The sampled text values of any version with this data file (drafts made without a reimport share their file, which never changes). */
  async textValuesOfFile(dataFile: string): Promise<string[] | undefined> {
    const row = await this.db
      .selectFrom('version_text_values')
      .innerJoin('versions', 'versions.id', 'version_text_values.version_id')
      .select('version_text_values.text_values')
      .where('versions.data_file', '=', dataFile)
      .limit(1)
      .executeTakeFirst();
    return row && (JSON.parse(row.text_values) as string[]);
  }

  async putTextValues(versionId: number, values: string[]): Promise<void> {
    const text_values = JSON.stringify(values);
    await this.db
      .insertInto('version_text_values')
      .values({ version_id: versionId, text_values })
      .onConflict((oc) => oc.column('version_id').doUpdateSet({ text_values }))
      .execute();
  }

  async bumpPopularity(kind: CatalogItemsTable['kind'], itemId: number): Promise<void> {
    await this.db.updateTable('catalog_items').set((eb) => ({ popularity: eb('popularity', '+', 1) })).where('kind', '=', kind).where('item_id', '=', itemId).execute();
    this.index.itemChanged(kind, itemId, false);
  }

  /** Loads what searching needs, so that the first search does not wait for it. */
  async prepareSearch(): Promise<void> {
    await this.index.prepare(this.db);
  }

  /**
   * One page of a search, and its total, as `CatalogSearchIndex` finds them; the page's rows
   * are then read in one query. A row deleted in between is left out of the page.
   */
  async search(view: CatalogView, query: ListQuery, visibility: ItemVisibility, editors?: ItemVisibility): Promise<ListResult<CatalogItemRow>> {
    const found = await this.index.search(this.db, view, query, visibility, editors);
    const rows = found.ids.length === 0 ? [] : await this.db.selectFrom('catalog_items').select(rowColumns).where('id', 'in', found.ids).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return {
      items: found.ids.flatMap((id) => byId.get(id) ?? []),
      total: found.total,
      ...(found.snapshot !== undefined && { snapshot: found.snapshot }),
    };
  }
}
