import { sql, type ExpressionBuilder, type Insertable, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { FilterClause, FilterValue, ListQuery, ListResult } from '../domain/list-query.js';
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

/** The spatial relation of an R*Tree row `r` to a `minx,miny,maxx,maxy` box. */
function boxCondition(lookup: FilterClause['lookup'], value: FilterValue) {
  const [minx, miny, maxx, maxy] = String(value).split(',').map(Number) as [number, number, number, number];
  if (lookup === 'within') return sql`r.minx >= ${minx} and r.maxx <= ${maxx} and r.miny >= ${miny} and r.maxy <= ${maxy}`;
  if (lookup === 'contains') return sql`r.minx <= ${minx} and r.maxx >= ${maxx} and r.miny <= ${miny} and r.maxy >= ${maxy}`;
  return sql`r.minx <= ${maxx} and r.maxx >= ${minx} and r.miny <= ${maxy} and r.maxy >= ${miny}`;
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
  // Checked per row by id, an R*Tree rowid lookup; a lone bbox drives the query instead (see search).
  bbox: { condition: (_eb, lookup, value) => sql<SqlBool>`exists (select 1 from catalog_rtree r where r.id = catalog_items.id and ${boxCondition(lookup, value)})` },
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

  /**
   * One page of a search, and its total. The most selective index drives the query, joined
   * first so SQLite can't pick a scan of every row: the full-text index when there is a `q`
   * (which also gives the BM25 rank), else the R*Tree for a lone `bbox`, else the view's own
   * indexes. Other filters, and access, are then checked per row by key.
   */
  async search(view: CatalogView, query: ListQuery, visibility: ItemVisibility, editors?: ItemVisibility): Promise<ListResult<CatalogItemRow>> {
    const texts = query.filters.filter((f) => f.field === 'q').flatMap((f) => f.values.map((v) => `(${ftsQuery(String(v))})`));
    const boxes = query.filters.filter((f) => f.field === 'bbox');
    const drivingBox = texts.length === 0 && boxes.length === 1 && boxes[0]!.values.length === 1 ? boxes[0]! : undefined;
    const rest = { ...query, filters: query.filters.filter((f) => f.field !== 'q' && f !== drivingBox) };
    // Column weights: a title match counts most, then tags and categories, then description, then field names.
    // Without a `q`, relevance ranks nothing, so it falls back to recency.
    const relevance = texts.length > 0 ? sql`bm25(catalog_fts, 10, 2, 4, 3, 1)` : sql`catalog_items.updated_at`;
    return runListQuery(
      this.db,
      (db) => {
        // Each source joins catalog_items; only its columns are selected, so all read as that table.
        const from = (
          texts.length > 0
            ? db.selectFrom('catalog_fts').crossJoin('catalog_items').where(sql<SqlBool>`catalog_items.id = catalog_fts.rowid and catalog_fts match ${texts.join(' OR ')}`)
            : drivingBox
              ? db
                  .selectFrom('catalog_rtree as r')
                  .crossJoin('catalog_items')
                  .where(sql<SqlBool>`catalog_items.id = r.id and ${boxCondition(drivingBox.lookup, drivingBox.values[0]!)}`)
              : db.selectFrom('catalog_items')
        ) as unknown as SelectQueryBuilder<Database, 'catalog_items', object>;
        const rows = from.selectAll('catalog_items');
        const visible = (eb: ExpressionBuilder<Database, 'catalog_items'>, v: ItemVisibility) =>
          visibleItem(eb, permissionKind, 'catalog_items.item_id', 'catalog_items.group_id', v);
        if (view === 'published' || !editors || editors.all) {
          return rows.where('catalog_items.view', '=', view).where((eb) => visible(eb, visibility));
        }
        // Each item once: its latest row for its editors, its published row for its other readers.
        return rows.where('catalog_items.view', 'in', ['latest', 'published']).where((eb) =>
          eb.or([
            eb.and([eb('catalog_items.view', '=', 'latest'), visible(eb, editors)]),
            eb.and([eb('catalog_items.view', '=', 'published'), visible(eb, visibility), eb.not(visible(eb, editors))]),
          ]),
        );
      },
      rest,
      { ...baseFields, relevance: { order: relevance } },
      'catalog_items.id',
    );
  }
}
