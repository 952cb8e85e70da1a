/**
 * Catalog search, a port the domain owns and each store implements (SQLite: FTS5 and an
 * R*Tree; PostgreSQL: tsvector and PostGIS). The domain hands over a neutral query (offset and
 * limit, filters on the catalog's own field names, sort keys, words, boxes with a relation, and
 * what the caller may see) and gets one page of entries and the total. How a store matches
 * words, meets boxes or counts is its own business; what the results are is fixed here.
 */
import type { ItemVisibility } from '../policies/items.js';

/** `published` shows each item's published version; `latest` its newest, drafts included. */
export type CatalogView = 'published' | 'latest';
export type CatalogKind = 'layer' | 'table' | 'set' | 'document';
/** minx, miny, maxx, maxy in lon/lat (EPSG:4326). */
export type Bbox = [number, number, number, number];

/**
 * How an entry's extent must stand to a box: meet it (edges touching count), lie inside it, or
 * hold all of it. Entries without an extent meet no box.
 */
export type BoxRelation = 'intersects' | 'within' | 'contains';

/** An entry's extent in the given relation to any of the boxes. */
export interface BoxCondition {
  relation: BoxRelation;
  boxes: Bbox[];
}

export type Comparison = 'eq' | 'gt' | 'gte' | 'lt' | 'lte';

/** One filter on the entries' fields; its values are OR-ed, filters AND-ed. */
export type CatalogFilter =
  | { field: 'kind'; values: CatalogKind[] }
  | { field: 'groupId' | 'licenseId'; values: number[] }
  /** A value without a dash names a family: `cc` is `cc` or any `cc-…`; `cc-by` is exact. */
  | { field: 'licenseType'; values: string[] }
  /** Public: group.everyone holds a permission on the item. */
  | { field: 'public'; values: boolean[] }
  /** Holds this exact tag (or category). */
  | { field: 'tag' | 'category'; values: string[] }
  /** Timestamps as ISO 8601 UTC text (`Date#toISOString`). */
  | { field: 'createdAt' | 'updatedAt'; comparison: Comparison; values: string[] }
  | { field: 'versionStatus'; values: string[] };

/** `relevance` ranks text matches (best first when ascending); without words it is `updatedAt`. */
export type CatalogSortField = 'title' | 'createdAt' | 'updatedAt' | 'popularity' | 'relevance';

export interface CatalogSortKey {
  field: CatalogSortField;
  descending: boolean;
}

export interface CatalogSearchQuery {
  view: CatalogView;
  offset: number;
  limit: number;
  /**
   * Full-text searches, OR-ed. Each is a list of words (at least one), all of which must occur
   * in the entry's title, description, tags, categories, field names or sampled text values;
   * the last word also matches as a prefix. Relevance weighs title matches most, then tags and
   * categories, description, field names, and text values least.
   */
  text: string[][];
  /** AND-ed. */
  bbox: BoxCondition[];
  filters: CatalogFilter[];
  /** In order; the entry id breaks ties, in the direction of the last key. */
  sort: CatalogSortKey[];
  /** Leave out entries with a higher id (added since paging began). */
  snapshot?: number;
  /** Who is asking: what they may view. */
  visibility: ItemVisibility;
  /**
   * In the latest view, who sees an item's newest entry; the caller's other items show their
   * published entry. Without it, every item shows its `view` entry.
   */
  editors?: ItemVisibility;
}

/** One item as the catalog shows it, in one view. A store may keep entries and hand the same one to many searches. */
export interface CatalogEntry {
  /** The entry's own id (the order of insertion; what `snapshot` counts). */
  readonly id: number;
  readonly kind: CatalogKind;
  readonly itemId: number;
  readonly view: CatalogView;
  readonly versionId: number | null;
  readonly versionStatus: string | null;
  readonly groupId: number;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly categories: readonly string[];
  readonly licenseId: number | null;
  readonly licenseType: string | null;
  readonly extent: Bbox | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly publishedAt: string | null;
  readonly popularity: number;
}

export interface CatalogSearchResult {
  items: CatalogEntry[];
  /** Every match, not only this page. */
  total: number;
  /** The snapshot for later pages: the query's own, or the highest id that matched. */
  snapshot?: number;
}

export interface CatalogSearch {
  search(query: CatalogSearchQuery): Promise<CatalogSearchResult>;
}
