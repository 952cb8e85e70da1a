import type { Client } from '../client.js';
import { Query } from '../core/query.js';
import type { VersionInfo } from './layers.js';
import type { PolygonGeometry, Timestamp } from './wire.js';

/**
 * A catalog entry: a layer, table, set or document; `type` says which. This is the catalog's
 * summary of it; with `expand()` each entry is instead the item as its own route sends it (see
 * `Layer`, `LayerSet` and `Document`), without `extent` and, depending on `type`, `kind`,
 * `updated_at` or `version`.
 */
export interface CatalogItem {
  /** The item's id among items of its type. */
  id: number;
  /** Where the API serves this item. */
  url: string;
  /** What the item is. */
  type: 'layer' | 'table' | 'set' | 'document';
  /** The kind of item: `vector` for layers, otherwise the same as `type`. */
  kind?: 'vector' | 'table' | 'set' | 'document';
  /** The title shown in the catalog. */
  title: string;
  /** The title again, under the name older Koordinates clients read. */
  name: string;
  /** Plain-text description. */
  description: string;
  /** Free-form keywords. */
  tags: string[];
  /** The catalog categories it is filed under. */
  categories: string[];
  /** Where the data lies, as a bounding box; null for items without one (documents, tables). Not in expanded entries. */
  extent?: PolygonGeometry | null;
  /** When the item was created. */
  created_at: Timestamp;
  /** When the item (or the version shown) last changed. */
  updated_at?: Timestamp;
  /** When the version shown was published; null for a draft (in `listLatest`). */
  published_at: Timestamp | null;
  /** The version shown and its import state; documents have no versions, so `id` is null. */
  version?: { id: number | null; status: VersionInfo['status'] | null };
  [key: string]: unknown;
}

/** `client.catalog`: one search over everything you may see. */
export class CatalogManager {
  constructor(private readonly client: Client) {}

  /** Published items; filter with `q`, `bbox`, `type`, `license__type`, `created_at__gte`, ... */
  list(): Query<CatalogItem> {
    return new Query(this.client, 'data/', (raw: CatalogItem) => raw);
  }

  /** Items as of their newest version, drafts and imports in progress included (for their editors). */
  listLatest(): Query<CatalogItem> {
    return new Query(this.client, 'data/latest/', (raw: CatalogItem) => raw);
  }
}
