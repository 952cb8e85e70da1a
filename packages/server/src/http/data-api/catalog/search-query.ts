/**
 * The Data API's catalog list query (already offset and limit, with `q` as text and `bbox` as box
 * clauses) as the domain's catalog query: the list's field names (`license_type`, `created_at`,
 * `title`) become the catalog's own.
 */
import type { CatalogQuery } from '../../../domain/catalog.js';
import type { ListQuery } from '../../../domain/list-query.js';
import type { Bbox, CatalogFilter, CatalogKind, CatalogSortField, CatalogView, Comparison } from '../../../domain/ports/catalog-search.js';

const sortFields = new Map<string, CatalogSortField>([
  ['title', 'title'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
  ['popularity', 'popularity'],
  ['relevance', 'relevance'],
]);

const comparisonOf = (lookup: string): Comparison => (lookup === 'exact' ? 'eq' : (lookup as Comparison));

/** One filter parameter (its values already checked against the list's spec) as the domain's filter. */
function filterOf(field: string, lookup: string, values: unknown[]): CatalogFilter {
  switch (field) {
    case 'type':
      return { field: 'kind', values: values as CatalogKind[] };
    case 'kind':
      // The data kind: vector for layers, table for tables; sets and documents hold no data of their own.
      return { field: 'kind', values: values.map((v) => (v === 'table' ? 'table' : 'layer')) };
    case 'group':
      return { field: 'groupId', values: values as number[] };
    case 'license':
      return { field: 'licenseId', values: values as number[] };
    case 'license_type':
      return { field: 'licenseType', values: values as string[] };
    case 'public':
      return { field: 'public', values: values as boolean[] };
    case 'tag':
    case 'category':
      return { field, values: values as string[] };
    case 'created_at':
      return { field: 'createdAt', comparison: comparisonOf(lookup), values: values as string[] };
    case 'updated_at':
      return { field: 'updatedAt', comparison: comparisonOf(lookup), values: values as string[] };
    case 'version_status':
      return { field: 'versionStatus', values: values as string[] };
    default:
      // The list spec lets only its own names through; a miss here is a programming error.
      throw new Error(`Catalog filter "${field}" has no mapping`);
  }
}

export function catalogQuery(view: CatalogView, query: ListQuery): CatalogQuery {
  return {
    view,
    offset: query.offset,
    limit: query.limit,
    text: query.text ?? [],
    bbox: (query.bbox ?? []).map(({ relation, boxes }) => ({ relation, boxes: boxes.map((box) => [...box] as Bbox) })),
    filters: query.filters.map((clause) => filterOf(clause.field, clause.lookup, clause.values)),
    sort: query.sort.map((key) => ({ field: sortFields.get(key.field)!, descending: key.descending })),
    ...(query.snapshot !== undefined && { snapshot: query.snapshot }),
  };
}
