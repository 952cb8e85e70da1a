/**
 * The typed query every list in Mapshelf accepts, and the spec that says what a list offers.
 * The HTTP layer parses `page`, `page_size`, `attr.lookup=v` and `sort` into a `ListQuery`
 * against a `ListSpec`; repositories apply it in SQL. No route builds list SQL by hand.
 */

/** `bbox` is `minx,miny,maxx,maxy` in lon/lat, passed on as that normalised text. */
export type FilterValueType = 'string' | 'integer' | 'boolean' | 'datetime' | 'enum' | 'bbox';

/** `exact` is the lookup of a bare `attr=v`. */
export type Lookup = 'exact' | 'iexact' | 'icontains' | 'startswith' | 'gt' | 'gte' | 'lt' | 'lte' | 'isnull' | 'intersects' | 'within' | 'contains';

export const lookupDescriptions: Record<Lookup, string> = {
  exact: 'equal to',
  iexact: 'equal to, ignoring case',
  icontains: 'contains, ignoring case',
  startswith: 'starts with',
  gt: 'greater than',
  gte: 'greater than or equal to',
  lt: 'less than',
  lte: 'less than or equal to',
  isnull: 'is (true) or is not (false) empty',
  intersects: 'overlaps the box',
  within: 'lies inside the box',
  contains: 'holds the whole box',
};

export interface FilterSpec {
  type: FilterValueType;
  /** Lookups allowed besides `exact` (which is always allowed). */
  lookups?: readonly Lookup[];
  /** Allowed values, for `enum`. */
  values?: readonly string[];
  description: string;
}

export interface ListSpec {
  /** Shown in OPTIONS. */
  name: string;
  description: string;
  filters: Readonly<Record<string, FilterSpec>>;
  /** Fields the list can be sorted by (`sort=x` or `sort=-x`). */
  orderings: readonly string[];
  /** Applied when no `sort` is given; `-x` for descending. The id always breaks ties. */
  defaultOrdering: readonly string[];
  /** Applied instead when no `sort` is given but a `q` search is (e.g. relevance). */
  searchOrdering?: readonly string[];
  /** Names the `Expand` header accepts on this list (`list` for full objects). */
  expansions: readonly string[];
}

export type FilterValue = string | number | boolean;

/** One filter name with its lookup; its values are OR-ed. Clauses are AND-ed. */
export interface FilterClause {
  field: string;
  lookup: Lookup;
  values: FilterValue[];
}

export interface SortKey {
  field: string;
  descending: boolean;
}

export interface ListQuery {
  page: number;
  pageSize: number;
  filters: FilterClause[];
  sort: SortKey[];
  /**
   * The highest id the first page saw. Later pages leave out rows added since, so paging
   * through a list that grows meanwhile never repeats or skips an item.
   */
  snapshot?: number;
}

export interface ListResult<T> {
  items: T[];
  total: number;
  /** The snapshot to carry to the next pages (the query's own, or the highest id now). */
  snapshot?: number;
}

export const defaultPageSize = 100;
export const maxPageSize = 1000;

/** The query narrowed to published rows (`published_at` set), for callers who may not see the rest. */
export function publishedOnly(query: ListQuery): ListQuery {
  return { ...query, filters: [...query.filters, { field: 'published_at', lookup: 'isnull', values: [false] }] };
}
