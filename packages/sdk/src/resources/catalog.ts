import type { Client } from '../client.js';
import { Query } from '../core/query.js';

/** A catalog entry: a layer, table, set or document; `type` says which. */
export interface CatalogItem {
  id: number;
  url: string;
  type: 'layer' | 'table' | 'set' | 'document';
  title: string;
  description: string;
  tags: string[];
  extent: { type: 'Polygon'; coordinates: number[][][] } | null;
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
