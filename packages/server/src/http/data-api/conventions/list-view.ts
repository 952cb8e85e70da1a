import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../../domain/actor.js';
import type { ListQuery, ListResult } from '../../../domain/list-query.js';
import type { Scope } from '../../../domain/scopes.js';
import { documentationOnly } from '../../shared/validation.js';
import { parseListQuery } from './list-params.js';
import { defaultPageSize, lookupDescriptions, maxPageSize, queryLocation, type ListSpec } from './list-spec.js';
import { setPageHeaders } from './pagination.js';
import { presentContext, type PresentContext } from './present.js';

export interface ListViewOptions<Row> {
  /** Route path, with a trailing slash. */
  url: string;
  spec: ListSpec;
  scope: Scope | readonly Scope[];
  /** @default 'required' */
  auth?: 'required' | 'optional';
  tags: string[];
  /** Runs the domain list for the caller. */
  list: (actor: Actor, query: ListQuery, request: FastifyRequest) => Promise<ListResult<Row>>;
  /** Summary shape, and the full shape for `Expand: list` (which may depend on the caller). */
  summary: (row: Row, ctx: PresentContext) => unknown;
  full: (row: Row, ctx: PresentContext, request: FastifyRequest) => unknown | Promise<unknown>;
  /**
   * The list's store hands the same row object to many requests (the catalog's kept entries),
   * and `summary` depends on nothing but the row and the request's origin: each row's summary
   * is then serialized once, not on every page that shows it.
   */
  rowsShared?: boolean;
  params?: object;
  /** More for the OPTIONS body, such as what POST accepts. */
  describe?: () => Record<string, unknown>;
}

/**
 * A page of summaries as a JSON array, each summary made once per row object (and origin, which
 * its URLs hold); kept as UTF-8, half the memory of the string (titles with a dash or an accent
 * make it two bytes a character).
 */
function summariesJson<Row>(summary: ListViewOptions<Row>['summary']) {
  const made = new WeakMap<object, { origin: string; json: Buffer }>();
  return (rows: readonly Row[], ctx: PresentContext): Buffer => {
    const origin = ctx.urlFor('');
    return jsonArray(
      rows.map((row) => {
        const kept = made.get(row as object);
        if (kept?.origin === origin) return kept.json;
        const text = JSON.stringify(summary(row, ctx));
        // Its own memory, not a slice of Node's shared pool, which a kept slice would hold on to whole.
        const json = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
        json.write(text);
        made.set(row as object, { origin, json });
        return json;
      }),
    );
  };
}

/** A JSON array of JSON values, in one buffer. */
function jsonArray(values: Buffer[]): Buffer {
  const out = Buffer.allocUnsafe(2 + values.reduce((n, value) => n + value.length + 1, 0) - Math.min(1, values.length));
  let at = 0;
  out[at++] = 0x5b; // [
  values.forEach((value, i) => {
    if (i > 0) out[at++] = 0x2c; // ,
    out.set(value, at);
    at += value.length;
  });
  out[at] = 0x5d; // ]
  return out;
}

/** The OPTIONS body of a list: its filters, orderings and expansions. */
export function describeList(spec: ListSpec) {
  return {
    name: spec.name,
    description: spec.description,
    renders: ['application/json'],
    parses: ['application/json'],
    paging: { params: ['page', 'page_size'], page_size: { default: defaultPageSize, max: maxPageSize } },
    filters: Object.fromEntries(
      Object.entries(spec.filters).map(([name, f]) => [
        name,
        {
          type: f.type,
          description: f.description,
          lookups: Object.fromEntries(['exact', ...(f.lookups ?? [])].map((l) => [l, lookupDescriptions[l as keyof typeof lookupDescriptions]])),
          ...(f.values && { values: f.values }),
        },
      ]),
    ),
    ordering: spec.orderings,
    default_ordering: spec.defaultOrdering,
    expansions: spec.expansions,
  };
}

/** A querystring schema for the OpenAPI document; `parseListQuery` does the real checking. */
function documentedQuery(spec: ListSpec) {
  const properties: Record<string, object> = {
    page: { type: 'string', description: 'Page number, from 1.' },
    page_size: { type: 'string', description: `Items per page, 1-${maxPageSize} (default ${defaultPageSize}).` },
    sort: { type: 'array', items: { type: 'string' }, description: `One of ${spec.orderings.join(', ')}; prefix - to reverse.` },
  };
  for (const [name, f] of Object.entries(spec.filters)) {
    for (const lookup of ['', ...(f.lookups ?? [])]) {
      properties[lookup ? `${name}.${lookup}` : name] = {
        type: 'array',
        items: { type: 'string' },
        description: `${f.description} (${lookup || 'exact'}). Repeat to OR values.`,
      };
    }
  }
  // For the API description only: parseListQuery checks the query (once), so ajv need not.
  return { type: 'object', properties, additionalProperties: true, [documentationOnly]: true };
}

/**
 * Registers a list route with everything Koordinates lists do: GET (and HEAD, with the same
 * headers) with paging, filters, sort and `Expand: list`, and OPTIONS describing them.
 */
export function registerListView<Row>(app: FastifyInstance, options: ListViewOptions<Row>): void {
  const { spec } = options;
  const sharedSummary = options.rowsShared ? summariesJson(options.summary) : undefined;
  app.get(
    options.url,
    {
      // What the domain says about the query lies in the query string.
      config: { scope: options.scope, auth: options.auth, expansions: spec.expansions, input: (location: string) => queryLocation(spec, location) },
      schema: {
        summary: `List ${spec.name}`,
        description: spec.description,
        tags: options.tags,
        querystring: documentedQuery(spec),
        ...(options.params && { params: options.params }),
      },
    },
    async (request, reply) => {
      const query = parseListQuery(spec, request.query as Record<string, string | string[]>);
      const result = await options.list(request.actor, query, request);
      setPageHeaders(request, reply, query, result.total, result.items.length, result.snapshot);
      if (request.method === 'HEAD') return '';
      const ctx = presentContext(request);
      if (ctx.expand.has('list')) return Promise.all(result.items.map((row) => options.full(row, ctx, request)));
      if (!sharedSummary) return result.items.map((row) => options.summary(row, ctx));
      reply.type('application/json; charset=utf-8');
      return sharedSummary(result.items, ctx);
    },
  );
  app.options(
    options.url,
    {
      config: { scope: options.scope, auth: options.auth },
      schema: { summary: `Describe the ${spec.name} list: filters, orderings, expansions`, tags: options.tags, ...(options.params && { params: options.params }) },
    },
    async () => ({ ...describeList(spec), ...options.describe?.() }),
  );
}
