import type { Client, QueryValue } from '../client.js';
import { ClientValidationError } from './errors.js';
import { parseLinks, resourceTotal } from './path.js';

/** A filter value; dates are sent as ISO 8601. */
export type FilterValue = QueryValue | Date;

/** What a list's OPTIONS says it filters on: name → lookups. */
type FilterSpec = Record<string, { lookups?: Record<string, unknown> }>;

interface QueryState {
  filters: Array<[string, string]>;
  order: string[];
  expand: boolean;
  limit: number | null;
  pageSize: number | null;
}

/** `license__type` → `license.type`, `created_at__gte` → `created_at.gte`, as Koordinates clients write them. */
const wireName = (key: string) => key.replace(/__/g, '.');
const wireValue = (value: FilterValue) => (value instanceof Date ? value.toISOString() : String(value));

/**
 * A lazy, immutable list query: each call returns a new query, and nothing is fetched until it
 * is iterated, counted or collected. Iteration follows `Link: rel="page-next"` and stops as soon
 * as `limit` items have come.
 */
export class Query<T> implements AsyncIterable<T> {
  private total: number | null = null;

  constructor(
    private readonly client: Client,
    private readonly path: string,
    private readonly wrap: (raw: any) => T,
    private readonly state: QueryState = { filters: [], order: [], expand: false, limit: null, pageSize: null },
  ) {}

  private with(change: Partial<QueryState>): Query<T> {
    return new Query(this.client, this.path, this.wrap, { ...this.state, ...change });
  }

  /** Adds filters: `{type: 'layer', license__type: 'cc', created_at__gte: date}`; an array ORs its values. */
  filter(criteria: Record<string, FilterValue | FilterValue[]>): Query<T> {
    const added = Object.entries(criteria).flatMap(([key, value]) =>
      (Array.isArray(value) ? value : [value]).map((v): [string, string] => [wireName(key), wireValue(v)]),
    );
    return this.with({ filters: [...this.state.filters, ...added] });
  }

  /** Orders by fields, `-` first for descending: `orderBy('-created_at', 'name')`. */
  orderBy(...fields: string[]): Query<T> {
    return this.with({ order: fields });
  }

  /** Asks for full objects (`Expand: list`) rather than summaries. */
  expand(): Query<T> {
    return this.with({ expand: true });
  }

  /** At most `n` items; fetching stops once they have come. */
  limit(n: number): Query<T> {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('limit takes a whole number, 0 or more');
    return this.with({ limit: n });
  }

  /** Items per request. */
  pageSize(n: number): Query<T> {
    if (!Number.isInteger(n) || n < 1) throw new RangeError('pageSize takes a whole number, 1 or more');
    return this.with({ pageSize: n });
  }

  private firstPageQuery(): Record<string, string[]> {
    const query: Record<string, string[]> = {};
    for (const [name, value] of this.state.filters) (query[name] ??= []).push(value);
    if (this.state.order.length > 0) query.sort = this.state.order;
    const size = this.state.pageSize ?? (this.state.limit !== null && this.state.limit > 0 && this.state.limit < 100 ? this.state.limit : null);
    if (size !== null) query.page_size = [String(size)];
    return query;
  }

  /** Refuses filters the list does not offer, as its OPTIONS describes them, before anything is sent. */
  private async checkFilters(): Promise<void> {
    if (this.state.filters.length === 0) return;
    const spec = await this.client.listFilters(this.path);
    if (!spec) return;
    for (const [name] of this.state.filters) {
      const [field, lookup] = splitLookup(name, spec);
      const offered = spec[field];
      if (!offered) throw new ClientValidationError(`"${name}" is not a filter of ${this.path}; it offers ${Object.keys(spec).join(', ')}.`);
      if (lookup && !(lookup in (offered.lookups ?? {}))) {
        throw new ClientValidationError(`"${field}" has no lookup "${lookup}"; it offers ${Object.keys(offered.lookups ?? { exact: 1 }).join(', ')}.`);
      }
    }
  }

  private headers(): Record<string, string> {
    return this.state.expand ? { expand: 'list' } : {};
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.state.limit === 0) return;
    await this.checkFilters();
    let url: string | undefined = this.client.url(this.path, this.firstPageQuery());
    let yielded = 0;
    while (url) {
      const response = await this.client.request('GET', url, { headers: this.headers() });
      this.total = resourceTotal(response.headers.get('x-resource-range')) ?? this.total;
      const next = parseLinks(response.headers.get('link'))['page-next'];
      for (const raw of (await response.json()) as unknown[]) {
        yield this.wrap(raw);
        if (this.state.limit !== null && ++yielded >= this.state.limit) return;
      }
      url = next;
    }
  }

  /** Every item (up to `limit`), fetched page by page. */
  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }

  /** The first item, or undefined; fetches one item only. */
  async first(): Promise<T | undefined> {
    for await (const item of this.limit(1)) return item;
    return undefined;
  }

  /** How many items match: the total a fetch already saw, else one HEAD request. `limit` caps it. */
  async count(): Promise<number> {
    if (this.total === null) {
      await this.checkFilters();
      const response = await this.client.request('HEAD', this.client.url(this.path, { ...this.firstPageQuery(), page_size: ['1'] }), { headers: this.headers() });
      this.total = resourceTotal(response.headers.get('x-resource-range')) ?? 0;
    }
    return this.state.limit === null ? this.total : Math.min(this.total, this.state.limit);
  }
}

/** `created_at.gte` → [`created_at`, `gte`]; a dotted filter name such as `license.type` stays whole. */
function splitLookup(name: string, spec: FilterSpec): [string, string | null] {
  if (name in spec) return [name, null];
  const dot = name.lastIndexOf('.');
  return dot > 0 ? [name.slice(0, dot), name.slice(dot + 1)] : [name, null];
}
