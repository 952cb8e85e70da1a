/**
 * Turns a list request's query string into the domain's neutral `ListQuery`, against the list's
 * `ListSpec`: `page` and `page_size` become offset and limit, wire names become domain fields,
 * the text filter (`q`) the free text, `bbox` filters boxes with their relation. This is the
 * only place that reads `page`, `page_size`, `sort` and filter parameters.
 */
import { maxId } from '../../../domain/model/ids.js';
import { MapshelfError, invalidParameter } from '../../../domain/errors.js';
import type { BboxClause, FilterClause, FilterValue, ListQuery, LonLatBox, SortKey, SpatialRelation } from '../../../domain/list-query.js';
import { defaultPageSize, domainField, maxPageSize, type FilterSpec, type ListSpec, type Lookup } from './list-spec.js';

/** Query parameters that are not filters. */
export const reservedParams = ['page', 'page_size', 'sort', 'snapshot'] as const;

type RawQuery = Record<string, string | string[] | undefined>;

function single(raw: RawQuery, name: string): string | undefined {
  const value = Object.hasOwn(raw, name) ? raw[name] : undefined;
  if (Array.isArray(value)) {
    if (value.length > 1) throw invalidParameter(`query.${name}`, 'give it once');
    return value[0];
  }
  return value;
}

function positiveInteger(raw: RawQuery, name: string, fallback: number, max?: number): number {
  const text = single(raw, name);
  if (text === undefined || text === '') return fallback;
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || (max !== undefined && n > max)) {
    throw invalidParameter(`query.${name}`, `must be a whole number from 1${max ? ` to ${max}` : ' up'}, not "${text}"`);
  }
  return n;
}

const failure = (param: string, text: string) => (what: string) => invalidParameter(`query.${param}`, `must be ${what}, not "${text}"`);

function parseValue(spec: FilterSpec, lookup: Lookup, param: string, text: string): FilterValue {
  const fail = failure(param, text);
  if (lookup === 'isnull' || spec.type === 'boolean') {
    if (/^(true|1)$/i.test(text)) return true;
    if (/^(false|0)$/i.test(text)) return false;
    throw fail('true or false');
  }
  switch (spec.type) {
    case 'integer':
      // Within the stores' integer range (ids and counts alike): PostgreSQL refuses to compare its integers with more.
      if (!/^-?\d{1,10}$/.test(text) || Math.abs(Number(text)) > maxId) throw fail(`a whole number from -${maxId} to ${maxId}`);
      return Number(text);
    case 'datetime': {
      const when = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? Date.parse(text) : NaN;
      if (Number.isNaN(when)) throw fail('an ISO 8601 date or date-time such as 2024-05-01 or 2024-05-01T12:00:00Z');
      return new Date(when).toISOString();
    }
    case 'enum':
      if (!spec.values?.includes(text)) throw fail(`one of ${spec.values?.join(', ')}`);
      return text;
    case 'string':
      return text;
    case 'bbox':
      throw new Error('bbox values are read by parseBox');
  }
}

/** A `bbox` value: `minx,miny,maxx,maxy` in lon/lat, each within range, min ≤ max. */
function parseBox(param: string, text: string): LonLatBox {
  const fail = failure(param, text);
  const parts = text.split(',').map((p) => (/^\s*-?\d+(\.\d+)?(e-?\d+)?\s*$/i.test(p) ? Number(p) : NaN));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) throw fail('four numbers, minx,miny,maxx,maxy (lon/lat, EPSG:4326)');
  const [minx, miny, maxx, maxy] = parts as [number, number, number, number];
  if (minx < -180 || maxx > 180 || miny < -90 || maxy > 90) throw fail('within -180..180 (x) and -90..90 (y)');
  if (minx > maxx || miny > maxy) throw fail('ordered minx,miny,maxx,maxy with min ≤ max');
  return [minx, miny, maxx, maxy];
}

/**
 * The spec's filter of that name. Own properties only: a parameter named `toString`,
 * `constructor` or `__proto__` must not find `Object.prototype`'s members.
 */
export function filterOf(spec: ListSpec, name: string): FilterSpec | undefined {
  return Object.hasOwn(spec.filters, name) ? spec.filters[name] : undefined;
}

function resolveFilter(spec: ListSpec, param: string): { field: string; lookup: Lookup } {
  if (filterOf(spec, param)) return { field: param, lookup: 'exact' };
  const dot = param.lastIndexOf('.');
  const field = dot > 0 ? param.slice(0, dot) : '';
  const lookup = param.slice(dot + 1) as Lookup;
  const filter = filterOf(spec, field);
  if (filter && (lookup === 'exact' || filter.lookups?.includes(lookup))) return { field, lookup };
  const offered = Object.entries(spec.filters)
    .flatMap(([name, f]) => [name, ...(f.lookups ?? []).map((l) => `${name}.${l}`)])
    .join(', ');
  throw new MapshelfError(
    'unknown_filter',
    `query.${param}: ${spec.name} has no filter "${param}". Filters offered: ${offered || 'none'}.`,
    { errors: [{ location: `query.${param}`, message: 'unknown filter' }] },
  );
}

function parseSort(spec: ListSpec, raw: RawQuery): SortKey[] {
  const given = raw.sort;
  const keys = (Array.isArray(given) ? given : given === undefined ? [] : [given])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const text = spec.textFilter === undefined ? undefined : raw[spec.textFilter];
  const searching = spec.searchOrdering && text !== undefined && text !== '';
  const chosen = keys.length > 0 ? keys : [...(searching ? spec.searchOrdering! : spec.defaultOrdering)];
  return chosen.map((key) => {
    const descending = key.startsWith('-');
    const field = descending ? key.slice(1) : key;
    if (!spec.orderings.includes(field)) {
      throw new MapshelfError(
        'unknown_sort',
        `query.sort: ${spec.name} cannot be sorted by "${field}". Orderings offered: ${spec.orderings.join(', ')} (prefix - for descending).`,
        { errors: [{ location: 'query.sort', message: `unknown ordering "${field}"` }] },
      );
    }
    return { field: domainField(spec, field), descending };
  });
}

export function parseListQuery(spec: ListSpec, raw: RawQuery): ListQuery {
  // Keyed by wire name and lookup: `a=1&a=2` and `a=1&a.exact=2` both mean a is 1 or 2, while
  // two names for one field (`name`, `title`) stay two clauses, AND-ed, as they read.
  const clauses = new Map<string, FilterClause>();
  const boxes = new Map<string, BboxClause>();
  const text: string[] = [];
  for (const [param, value] of Object.entries(raw)) {
    if ((reservedParams as readonly string[]).includes(param) || value === undefined) continue;
    const { field, lookup } = resolveFilter(spec, param);
    const filter = filterOf(spec, field)!;
    const texts = Array.isArray(value) ? value : [value];
    const key = `${field}.${lookup}`;
    if (field === spec.textFilter) {
      // Free text, taken as given; the domain decides what it can search for.
      text.push(...texts);
    } else if (filter.type === 'bbox') {
      // A bare `bbox=` intersects.
      const relation = (lookup === 'exact' ? 'intersects' : lookup) as SpatialRelation;
      const parsed = texts.map((t) => parseBox(param, t));
      const existing = boxes.get(key);
      if (existing) existing.boxes.push(...parsed);
      else boxes.set(key, { relation, boxes: parsed });
    } else {
      const values = texts.map((t) => parseValue(filter, lookup, param, t));
      const existing = clauses.get(key);
      if (existing) existing.values.push(...values);
      else clauses.set(key, { field: domainField(spec, field), lookup: lookup as FilterClause['lookup'], values });
    }
  }
  const snapshot = raw.snapshot === undefined ? undefined : positiveInteger(raw, 'snapshot', 1);
  const page = positiveInteger(raw, 'page', 1);
  const pageSize = positiveInteger(raw, 'page_size', defaultPageSize, maxPageSize);
  return {
    ...(snapshot !== undefined && { snapshot }),
    offset: (page - 1) * pageSize,
    limit: pageSize,
    filters: [...clauses.values()],
    sort: parseSort(spec, raw),
    ...(text.length > 0 && { text }),
    ...(boxes.size > 0 && { bbox: [...boxes.values()] }),
  };
}
