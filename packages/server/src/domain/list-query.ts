/**
 * The neutral query every list in Mapshelf accepts: a window (offset and limit), filters and
 * sort keys on the domain's field names, free text and bounding boxes. Each face maps its own
 * parameters onto it (the Data API: `page`, `page_size`, `attr.lookup=v`, `sort`, `q`, `bbox`);
 * repositories apply it. The caller's visibility is not part of it: the domain works it out
 * from the actor and hands it to the store beside the query.
 */

/** How a filter compares a field with its values; `exact` is plain equality. */
export type Lookup = 'exact' | 'iexact' | 'icontains' | 'startswith' | 'gt' | 'gte' | 'lt' | 'lte' | 'isnull';

export type FilterValue = string | number | boolean;

/** One field with its lookup; its values are OR-ed. Clauses are AND-ed. */
export interface FilterClause {
  field: string;
  lookup: Lookup;
  values: FilterValue[];
}

export interface SortKey {
  field: string;
  descending: boolean;
}

/** `[minx, miny, maxx, maxy]` in lon/lat (EPSG:4326). */
export type LonLatBox = readonly [number, number, number, number];

/** How an item's extent must lie against a box. */
export type SpatialRelation = 'intersects' | 'within' | 'contains';

/** The extent relates so to any one of the boxes. Clauses are AND-ed. */
export interface BboxClause {
  relation: SpatialRelation;
  boxes: LonLatBox[];
}

export interface ListQuery {
  /** Rows to skip, after filtering and sorting. */
  offset: number;
  /** Rows to return at most. */
  limit: number;
  filters: FilterClause[];
  /** The id always breaks ties, in the direction of the last key. */
  sort: SortKey[];
  /** Free-text searches; an item matching any of them is found. Only lists that search take it. */
  text?: string[];
  /** Only lists of items with an extent take it. */
  bbox?: BboxClause[];
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

/** The query narrowed to published rows (`published_at` set), for callers who may not see the rest. */
export function publishedOnly(query: ListQuery): ListQuery {
  return { ...query, filters: [...query.filters, { field: 'published_at', lookup: 'isnull', values: [false] }] };
}
