/**
 * Turns a list request's query string into a typed `ListQuery`, against the list's `ListSpec`.
 * This is the only place that reads `page`, `page_size`, `sort` and filter parameters.
 */
import { MapshelfError, invalidParameter } from '../../domain/errors.js';
import {
  defaultPageSize,
  maxPageSize,
  type FilterClause,
  type FilterSpec,
  type FilterValue,
  type ListQuery,
  type ListSpec,
  type Lookup,
  type SortKey,
} from '../../domain/list-query.js';

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

function parseValue(spec: FilterSpec, lookup: Lookup, param: string, text: string): FilterValue {
  const fail = (what: string) => invalidParameter(`query.${param}`, `must be ${what}, not "${text}"`);
  if (lookup === 'isnull' || spec.type === 'boolean') {
    if (/^(true|1)$/i.test(text)) return true;
    if (/^(false|0)$/i.test(text)) return false;
    throw fail('true or false');
  }
  switch (spec.type) {
    case 'integer':
      if (!/^-?\d{1,15}$/.test(text)) throw fail('a whole number');
      return Number(text);
    case 'datetime': {
      const when = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? Date.parse(text) : NaN;
      if (Number.isNaN(when)) throw fail('an ISO 8601 date or date-time such as 2024-05-01 or 2024-05-01T12:00:00Z');
      return new Date(when).toISOString();
    }
    case 'bbox': {
      const parts = text.split(',').map((p) => (/^\s*-?\d+(\.\d+)?(e-?\d+)?\s*$/i.test(p) ? Number(p) : NaN));
      if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) throw fail('four numbers, minx,miny,maxx,maxy (lon/lat, EPSG:4326)');
      const [minx, miny, maxx, maxy] = parts as [number, number, number, number];
      if (minx < -180 || maxx > 180 || miny < -90 || maxy > 90) throw fail('within -180..180 (x) and -90..90 (y)');
      if (minx > maxx || miny > maxy) throw fail('ordered minx,miny,maxx,maxy with min ≤ max');
      return parts.join(',');
    }
    case 'enum':
      if (!spec.values?.includes(text)) throw fail(`one of ${spec.values?.join(', ')}`);
      return text;
    case 'string':
      return text;
  }
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
  const searching = spec.searchOrdering && raw.q !== undefined && raw.q !== '';
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
    return { field, descending };
  });
}

export function parseListQuery(spec: ListSpec, raw: RawQuery): ListQuery {
  const clauses = new Map<string, FilterClause>();
  for (const [param, value] of Object.entries(raw)) {
    if ((reservedParams as readonly string[]).includes(param) || value === undefined) continue;
    const { field, lookup } = resolveFilter(spec, param);
    const filter = filterOf(spec, field)!;
    const values = (Array.isArray(value) ? value : [value]).map((text) => parseValue(filter, lookup, param, text));
    const key = `${field}.${lookup}`;
    const existing = clauses.get(key);
    // `a=1&a=2` and `a=1&a.exact=2` both mean a is 1 or 2.
    if (existing) existing.values.push(...values);
    else clauses.set(key, { field, lookup, values });
  }
  const snapshot = raw.snapshot === undefined ? undefined : positiveInteger(raw, 'snapshot', 1);
  return {
    ...(snapshot !== undefined && { snapshot }),
    page: positiveInteger(raw, 'page', 1),
    pageSize: positiveInteger(raw, 'page_size', defaultPageSize, maxPageSize),
    filters: [...clauses.values()],
    sort: parseSort(spec, raw),
  };
}
