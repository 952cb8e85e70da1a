/**
 * What one Data API list offers, as Koordinates lists describe themselves: filters by wire name
 * (`attr=v`, `attr.lookup=v`), orderings (`sort=-x`), expansions, and how those names map onto
 * the domain's fields. The spec drives the parser (`list-params.ts`), the OPTIONS description
 * and the OpenAPI parameters, so they can't disagree.
 */
import { under } from '../../../domain/errors.js';
import type { Lookup as DomainLookup, SpatialRelation } from '../../../domain/list-query.js';

/** `bbox` is `minx,miny,maxx,maxy` in lon/lat. */
export type FilterValueType = 'string' | 'integer' | 'boolean' | 'datetime' | 'enum' | 'bbox';

/** A lookup as written after the dot; a `bbox` filter's lookups are spatial relations. `exact` is the lookup of a bare `attr=v`. */
export type Lookup = DomainLookup | SpatialRelation;

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
  /** Applied instead when no `sort` is given but a text search is (e.g. relevance). */
  searchOrdering?: readonly string[];
  /** The filter that is the query's free text rather than a filter (`q`). */
  textFilter?: string;
  /**
   * Wire names (of filters and orderings) whose domain field is named otherwise:
   * `{ name: 'title', 'license.type': 'license_type' }`. Other names are the domain's own.
   */
  fields?: Readonly<Record<string, string>>;
  /** Names the `Expand` header accepts on this list (`list` for full objects). */
  expansions: readonly string[];
}

export const defaultPageSize = 100;
export const maxPageSize = 1000;

/** The domain field a wire name stands for. Own properties only, as names come from clients. */
export function domainField(spec: ListSpec, wireName: string): string {
  return spec.fields && Object.hasOwn(spec.fields, wireName) ? spec.fields[wireName]! : wireName;
}

/** Where a location the domain gives about a list query lies in the query string: `text` is the text filter (`query.q`). */
export function queryLocation(spec: ListSpec, location: string): string {
  return under('query', location === 'text' && spec.textFilter ? spec.textFilter : location);
}
