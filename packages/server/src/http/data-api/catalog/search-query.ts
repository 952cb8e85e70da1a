/**
 * The Data API's catalog parameters as the domain's catalog query: `page` and `page_size` become
 * offset and limit, `q` the searches, `bbox[.relation]` boxes, and the Koordinates filter and
 * ordering names (`license.type`, `created_at`, `name`) the catalog's own.
 */
import type { CatalogQuery } from '../../../domain/catalog.js';
import type { ListQuery } from '../../../domain/list-query.js';
import type { Bbox, BoxRelation, CatalogFilter, CatalogKind, CatalogSortField, CatalogView, Comparison } from '../../../domain/ports/catalog-search.js';

const sortFields = new Map<string, CatalogSortField>([
  ['name', 'title'],
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
    case 'license.type':
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
    case 'version.status':
      return { field: 'versionStatus', values: values as string[] };
    default:
      // The list spec lets only its own names through; a miss here is a programming error.
      throw new Error(`Catalog filter "${field}" has no mapping`);
  }
}

export function catalogQuery(view: CatalogView, query: ListQuery): CatalogQuery {
  const text: string[] = [];
  const bbox: CatalogQuery['bbox'] = [];
  const filters: CatalogFilter[] = [];
  for (const clause of query.filters) {
    if (clause.field === 'q') text.push(...clause.values.map(String));
    else if (clause.field === 'bbox') {
      // list-params gives a box as normalised `minx,miny,maxx,maxy` text.
      const boxes = clause.values.map((v) => String(v).split(',').map(Number) as Bbox);
      bbox.push({ relation: clause.lookup === 'exact' ? 'intersects' : (clause.lookup as BoxRelation), boxes });
    } else filters.push(filterOf(clause.field, clause.lookup, clause.values));
  }
  return {
    view,
    offset: (query.page - 1) * query.pageSize,
    limit: query.pageSize,
    text,
    bbox,
    filters,
    sort: query.sort.map((key) => ({ field: sortFields.get(key.field)!, descending: key.descending })),
    ...(query.snapshot !== undefined && { snapshot: query.snapshot }),
  };
}
