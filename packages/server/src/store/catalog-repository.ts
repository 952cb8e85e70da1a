import { sql, type Insertable, type Kysely, type SqlBool } from 'kysely';
import type { FilterValue, ListQuery, ListResult } from '../domain/list-query.js';
import type { ItemVisibility } from '../domain/policies/items.js';
import { visibleItem } from './item-visibility.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { CatalogItemRow, CatalogItemsTable, Database } from './schema.js';

export type CatalogView = CatalogItemsTable['view'];

/** Words of a search as an FTS5 query: each quoted (no operators), all required, the last as a prefix. */
export function ftsQuery(text: string): string {
  const words = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

function bboxOf(value: FilterValue): [number, number, number, number] {
  return String(value).split(',').map(Number) as [number, number, number, number];
}

/** The permission item kind of a catalog row: tables share the layers' permissions. */
const permissionKind = sql<string>`(case catalog_items.kind when 'table' then 'layer' else catalog_items.kind end)`;

const baseFields: FieldMap = {
  id: 'catalog_items.item_id',
  type: 'catalog_items.kind',
  // The data kind: vector for layers, table for tables; sets and documents hold no data of their own.
  kind: { condition: (eb, _l, value) => eb('catalog_items.kind', '=', value === 'table' ? 'table' : 'layer') },
  group: 'catalog_items.group_id',
  license: 'catalog_items.license_id',
  // A family name without a dash (`cc`) matches the whole family (cc-by, cc-by-sa, ...); `cc-by` is exact.
  'license.type': {
    condition: (eb, _l, value) =>
      String(value).includes('-')
        ? eb('catalog_items.license_type', '=', String(value))
        : eb.or([eb('catalog_items.license_type', '=', String(value)), eb('catalog_items.license_type', 'like', `${String(value)}-%`)]),
  },
  public: {
    condition: (eb, _l, value) => {
      const grant = eb.exists(
        eb
          .selectFrom('permissions')
          .select('permissions.id')
          .where('permissions.item_kind', '=', permissionKind)
          .where('permissions.item_id', '=', sql.ref('catalog_items.item_id'))
          .where('permissions.principal', '=', 'group.everyone'),
      );
      return value ? grant : eb.not(grant);
    },
  },
  tag: { condition: (_eb, _l, value) => sql<SqlBool>`exists (select 1 from json_each(catalog_items.tags) where json_each.value = ${value})` },
  category: { condition: (_eb, _l, value) => sql<SqlBool>`exists (select 1 from json_each(catalog_items.categories) where json_each.value = ${value})` },
  created_at: 'catalog_items.created_at',
  updated_at: 'catalog_items.updated_at',
  name: 'catalog_items.title',
  title: 'catalog_items.title',
  popularity: 'catalog_items.popularity',
  'version.status': 'catalog_items.version_status',
  q: { condition: (_eb, _l, value) => sql<SqlBool>`catalog_items.id in (select rowid from catalog_fts where catalog_fts match ${ftsQuery(String(value))})` },
  bbox: {
    condition: (_eb, lookup, value) => {
      const [minx, miny, maxx, maxy] = bboxOf(value);
      const where =
        lookup === 'within'
          ? sql`r.minx >= ${minx} and r.maxx <= ${maxx} and r.miny >= ${miny} and r.maxy <= ${maxy}`
          : lookup === 'contains'
            ? sql`r.minx <= ${minx} and r.maxx >= ${maxx} and r.miny <= ${miny} and r.maxy >= ${maxy}`
            : sql`r.minx <= ${maxx} and r.maxx >= ${minx} and r.miny <= ${maxy} and r.maxy >= ${miny}`;
      return sql<SqlBool>`catalog_items.id in (select r.id from catalog_rtree r where ${where})`;
    },
  },
};

/** The catalog index: searchable rows kept up to date by the domain. */
export class CatalogRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(row: Insertable<CatalogItemsTable>): Promise<void> {
    const { popularity: _keep, ...changes } = row;
    await this.db
      .insertInto('catalog_items')
      .values(row)
      .onConflict((oc) => oc.columns(['kind', 'item_id', 'view']).doUpdateSet(changes))
      .execute();
  }

  async remove(kind: CatalogItemsTable['kind'], itemId: number, view?: CatalogView): Promise<void> {
    let query = this.db.deleteFrom('catalog_items').where('kind', '=', kind).where('item_id', '=', itemId);
    if (view) query = query.where('view', '=', view);
    await query.execute();
  }

  async bumpPopularity(kind: CatalogItemsTable['kind'], itemId: number): Promise<void> {
    await this.db.updateTable('catalog_items').set((eb) => ({ popularity: eb('popularity', '+', 1) })).where('kind', '=', kind).where('item_id', '=', itemId).execute();
  }

  async search(view: CatalogView, query: ListQuery, visibility: ItemVisibility): Promise<ListResult<CatalogItemRow>> {
    const q = query.filters.find((f) => f.field === 'q')?.values[0];
    // Relevance is BM25 of the text search; without a `q` it ranks nothing, so it falls back to recency.
    // Column weights: a title match counts most, then tags and categories, then description, then field names.
    const relevance =
      q === undefined
        ? sql`catalog_items.updated_at`
        : sql`(select bm25(catalog_fts, 10, 2, 4, 3, 1) from catalog_fts where catalog_fts.rowid = catalog_items.id and catalog_fts match ${ftsQuery(String(q))})`;
    return runListQuery(
      this.db,
      (db) =>
        db
          .selectFrom('catalog_items')
          .selectAll('catalog_items')
          .where('catalog_items.view', '=', view)
          .where((eb) => visibleItem(eb, permissionKind, 'catalog_items.item_id', 'catalog_items.group_id', visibility)),
      query,
      { ...baseFields, relevance: { order: relevance } },
      'catalog_items.id',
    );
  }
}
