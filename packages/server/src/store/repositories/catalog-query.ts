/**
 * The catalog search as SQL, for every store: a `CatalogSearchQuery` becomes the conditions,
 * order, page and count over `catalog_items as c`. What differs between engines (how words are
 * matched and ranked, how a box is met, how a JSON array is searched) comes from a
 * `CatalogSqlEngine`; the rest (views, visibility, filters, order, paging, counting) is here once.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { BoxCondition, BoxRelation, Bbox, CatalogFilter, CatalogSearchQuery } from '../../domain/ports/catalog-search.js';
import { everyone, permissionLevels, type ItemVisibility, type PermissionLevel } from '../../domain/policies/items.js';

export interface CatalogSqlEngine {
  /**
   * The FROM clause: `catalog_items as c`, joined to the text index when there are searches,
   * and the condition that the searches (OR-ed) match.
   */
  source(text: string[][]): { from: RawBuilder<unknown>; match: RawBuilder<SqlBool> | null };
  /** The text searches' relevance of each row of `source`, lower first. */
  relevance: RawBuilder<number>;
  /** `c.<column>`, a JSON array of strings, holds `value`. */
  holds(column: 'tags' | 'categories', value: string): RawBuilder<SqlBool>;
  /** The row's extent stands in `relation` to `box`. */
  meets(relation: BoxRelation, box: Bbox): RawBuilder<SqlBool>;
}

type Side = 'minx' | 'miny' | 'maxx' | 'maxy';

/**
 * A box relation as four comparisons of the extent's sides with the box's numbers, all of which
 * must hold: the one definition of the relations, for SQL and for the stores' sets of matches in memory.
 */
export function boxComparisons(relation: BoxRelation, [minx, miny, maxx, maxy]: Bbox): Array<[Side, '<=' | '>=', number]> {
  switch (relation) {
    case 'within':
      return [['minx', '>=', minx], ['maxx', '<=', maxx], ['miny', '>=', miny], ['maxy', '<=', maxy]];
    case 'contains':
      return [['minx', '<=', minx], ['maxx', '>=', maxx], ['miny', '<=', miny], ['maxy', '>=', maxy]];
    case 'intersects':
      return [['minx', '<=', maxx], ['maxx', '>=', minx], ['miny', '<=', maxy], ['maxy', '>=', miny]];
  }
}

/** The box relation on the extent columns (null sides compare as unknown, so a row without an extent meets no box). */
export function extentMeets(relation: BoxRelation, box: Bbox): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.join(
    boxComparisons(relation, box).map(([side, op, value]) => sql`${col(side)} ${sql.raw(op)} ${value}`),
    sql` and `,
  )})`;
}

/** `catalog_items.public_level`: 0 when group.everyone holds nothing, else 1 + the level's rank (view 1 … admin 4). */
export function levelCode(level: PermissionLevel): number {
  return permissionLevels.indexOf(level) + 1;
}

const col = (column: string) => sql.ref(`c.${column}`);
const isTrue = sql<SqlBool>`1 = 1`;
const isFalse = sql<SqlBool>`1 = 0`;
const and = (parts: Array<RawBuilder<SqlBool>>) => (parts.length === 0 ? isTrue : sql<SqlBool>`(${sql.join(parts, sql` and `)})`);
const or = (parts: Array<RawBuilder<SqlBool>>) => (parts.length === 0 ? isFalse : sql<SqlBool>`(${sql.join(parts, sql` or `)})`);
// One value as `=`, which the planner weighs by the value's own frequency (sqlite_stat4), as it does not for IN.
const oneOf = (column: string, values: readonly unknown[]) =>
  values.length === 1 ? sql<SqlBool>`${col(column)} = ${values[0]}` : sql<SqlBool>`${col(column)} in (${sql.join(values)})`;

/**
 * The parts of the access rule (`domain/item-access.ts`): the caller is in the item's group, or
 * group.everyone holds enough on it (kept on the row as `public_level`), or a permission names
 * another of the caller's principals (the rows of those items, found from the permissions:
 * tables share the layers'). Kept apart so that counts can add them up (see `countQuery`).
 */
function accessParts(v: Exclude<ItemVisibility, { all: true }>) {
  const lowest = Math.min(...v.levels.map(levelCode));
  const others = v.principals.filter((p) => p !== everyone);
  return {
    member: v.memberOf.length > 0 ? oneOf('group_id', v.memberOf) : null,
    public: v.principals.includes(everyone) && Number.isFinite(lowest) ? sql<SqlBool>`${col('public_level')} >= ${lowest}` : null,
    granted:
      others.length > 0
        ? sql<SqlBool>`${col('id')} in (select g.id from permissions p
            join catalog_items g on g.kind in (p.item_kind, case when p.item_kind = 'layer' then 'table' end) and g.item_id = p.item_id
            where p.principal in (${sql.join(others)}) and p.level in (${sql.join(v.levels)}))`
        : null,
  };
}

function visible(v: ItemVisibility): RawBuilder<SqlBool> {
  if (v.all) return isTrue;
  const parts = accessParts(v);
  return or([parts.member, parts.public, parts.granted].filter((p) => p !== null));
}

/** The rows of the query's view that the caller may see (the latest view: each item once, see `editors`). */
function viewAndAccess(query: CatalogSearchQuery): RawBuilder<SqlBool> {
  const { view, visibility, editors } = query;
  // The view as a literal (one of two words): each view's partial text index then matches whatever plan the database makes.
  if (view === 'published' || !editors || editors.all) return and([sql`${col('view')} = ${sql.lit(view === 'latest' ? 'latest' : 'published')}`, visible(visibility)]);
  return or([
    and([sql`${col('view')} = 'latest'`, visible(editors)]),
    and([sql`${col('view')} = 'published'`, visible(visibility), sql`not (${visible(editors)})`]),
  ]);
}

const comparisons = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

function filterCondition(filter: CatalogFilter, engine: CatalogSqlEngine): RawBuilder<SqlBool> {
  switch (filter.field) {
    case 'kind':
      return oneOf('kind', filter.values);
    case 'groupId':
      return oneOf('group_id', filter.values);
    case 'licenseId':
      return oneOf('license_id', filter.values);
    case 'versionStatus':
      return oneOf('version_status', filter.values);
    case 'licenseType':
      return or(
        filter.values.map((v) => {
          if (v.includes('-')) return sql<SqlBool>`${col('license_type')} = ${v}`;
          // The family: the name itself, or it and a dash at the start (substr, not LIKE, whose wildcards a value could hold).
          const family = `${v}-`;
          return sql<SqlBool>`(${col('license_type')} = ${v} or substr(${col('license_type')}, 1, ${[...family].length}) = ${family})`;
        }),
      );
    case 'public':
      return or(filter.values.map((v) => (v ? sql<SqlBool>`${col('public_level')} > 0` : sql<SqlBool>`${col('public_level')} = 0`)));
    case 'tag':
      return or(filter.values.map((v) => engine.holds('tags', v)));
    case 'category':
      return or(filter.values.map((v) => engine.holds('categories', v)));
    case 'createdAt':
    case 'updatedAt': {
      const column = filter.field === 'createdAt' ? 'created_at' : 'updated_at';
      return or(filter.values.map((v) => sql<SqlBool>`${col(column)} ${sql.raw(comparisons[filter.comparison])} ${v}`));
    }
  }
}

/** The bbox conditions (each: any of its boxes), AND-ed. */
function boxConditions(conditions: BoxCondition[], engine: CatalogSqlEngine): Array<RawBuilder<SqlBool>> {
  return conditions.map((c) => or(c.boxes.map((box) => engine.meets(c.relation, box))));
}

export interface ConditionOptions {
  /** Leave the bbox conditions out (a set of matches tests them in memory). @default true */
  bbox?: boolean;
  /** Leave the snapshot out. @default true */
  snapshot?: boolean;
}

/** Everything but the text match: view and access, filters, boxes and the snapshot. */
export function conditions(query: CatalogSearchQuery, engine: CatalogSqlEngine, options: ConditionOptions = {}): RawBuilder<SqlBool> {
  return and([
    viewAndAccess(query),
    ...query.filters.map((f) => filterCondition(f, engine)),
    ...(options.bbox === false ? [] : boxConditions(query.bbox, engine)),
    ...(options.snapshot === false || query.snapshot === undefined ? [] : [sql<SqlBool>`${col('id')} <= ${query.snapshot}`]),
  ]);
}

/** FROM … WHERE … of a query: its source, the text match and `where`. */
export function fromWhere(query: CatalogSearchQuery, engine: CatalogSqlEngine, where: RawBuilder<SqlBool>): RawBuilder<unknown> {
  const { from, match } = engine.source(query.text);
  return sql`from ${from} where ${match ? and([match, where]) : where}`;
}

const sortColumns = { title: 'title', createdAt: 'created_at', updatedAt: 'updated_at', popularity: 'popularity' } as const;

/** ORDER BY: the sort keys, then the row id in the direction of the last. Relevance without words is recency. */
export function orderBy(query: CatalogSearchQuery, engine: CatalogSqlEngine): RawBuilder<unknown> {
  const keys = query.sort.map((key) => {
    const expression = key.field !== 'relevance' ? col(sortColumns[key.field]) : query.text.length > 0 ? engine.relevance : col('updated_at');
    return sql`${expression} ${sql.raw(key.descending ? 'desc' : 'asc')}`;
  });
  const last = query.sort.at(-1)?.descending ? 'desc' : 'asc';
  return sql`order by ${sql.join([...keys, sql`${col('id')} ${sql.raw(last)}`])}`;
}

/** The columns of a row as searches return it (not its text values, up to 64 KiB, which only the text index reads). */
export const entryColumns = [
  'id', 'kind', 'item_id', 'view', 'version_id', 'version_status', 'group_id', 'title', 'description', 'tags', 'categories',
  'license_id', 'license_type', 'minx', 'miny', 'maxx', 'maxy', 'created_at', 'updated_at', 'published_at', 'popularity',
] as const;

/** `c.id, c.kind, …` as `entryColumns` lists them. */
export const selectEntries = sql.join(entryColumns.map((name) => col(name)));

/** How many rows match, and the newest of them (`countQuery`'s row). */
export interface Count {
  total: number;
  newest: number | null;
}

/** The snapshot a page answers with: the query's, or else the newest match's id. */
export function snapshotOf(query: CatalogSearchQuery, newest: number | null | undefined): { snapshot?: number } {
  const value = query.snapshot ?? newest ?? undefined;
  return value === undefined ? {} : { snapshot: value };
}

/** One page of rows in order. */
export function pageQuery(query: CatalogSearchQuery, engine: CatalogSqlEngine): RawBuilder<unknown> {
  return sql`select ${selectEntries} ${fromWhere(query, engine, conditions(query, engine))} ${orderBy(query, engine)} limit ${query.limit} offset ${query.offset}`;
}

/**
 * The number of matches and the highest id among them. Without words, the access rule's parts
 * are counted apart and added up, each disjoint from those before: in its group (an index
 * range on view and group), else public (one on view and public level), else granted (a few
 * rows). An OR of the three would read every row of the view instead.
 */
export function countQuery(query: CatalogSearchQuery, engine: CatalogSqlEngine): RawBuilder<unknown> {
  const whole = (where: RawBuilder<SqlBool>) => sql`select count(*) as total, max(${col('id')}) as newest ${fromWhere(query, engine, where)}`;
  const { visibility, view, editors } = query;
  const simple = visibility.all || query.text.length > 0 || (view === 'latest' && editors && !editors.all);
  if (simple) return whole(conditions(query, engine));
  const parts = accessParts(visibility);
  const rest = [
    sql<SqlBool>`${col('view')} = ${view}`,
    ...query.filters.map((f) => filterCondition(f, engine)),
    ...boxConditions(query.bbox, engine),
    ...(query.snapshot === undefined ? [] : [sql<SqlBool>`${col('id')} <= ${query.snapshot}`]),
  ];
  const disjoint: Array<RawBuilder<SqlBool>> = [];
  const earlier: Array<RawBuilder<SqlBool>> = [];
  for (const part of [parts.member, parts.public, parts.granted]) {
    if (!part) continue;
    disjoint.push(and([...rest, part, ...earlier.map((e) => sql<SqlBool>`not (${e})`)]));
    earlier.push(part);
  }
  if (disjoint.length === 0) return whole(isFalse);
  return sql`select coalesce(sum(total), 0) as total, max(newest) as newest from (${sql.join(disjoint.map(whole), sql` union all `)}) as parts`;
}
