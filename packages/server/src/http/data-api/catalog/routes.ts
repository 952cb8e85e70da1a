import type { FastifyInstance, FastifyRequest } from 'fastify';
import { searchCatalog } from '../../../domain/catalog.js';
import type { DomainContext } from '../../../domain/context.js';
import type { ListSpec } from '../conventions/list-spec.js';
import type { CatalogEntry } from '../../../domain/ports/catalog-search.js';
import { registerListView } from '../conventions/list-view.js';
import { bboxPolygon } from '../conventions/geojson.js';
import { itemFieldNames } from '../conventions/item-fields.js';
import type { PresentContext } from '../conventions/present.js';
import { apiPath } from '../conventions/urls.js';
import { layerAsSeenBy } from '../../../domain/layers.js';
import { setAsSeenBy, visibleSetItems } from '../../../domain/sets.js';
import { presentDocument } from '../documents/presenter.js';
import { presentLayer } from '../layers/presenter.js';
import { presentSet } from '../sets/presenter.js';
import { catalogQuery } from './search-query.js';

const ordered = ['gt', 'gte', 'lt', 'lte'] as const;

function catalogSpec(latest: boolean): ListSpec {
  return {
    name: latest ? 'catalog (latest versions)' : 'catalog',
    description: latest
      ? 'Every item you may see as of its newest version, drafts and imports in progress included.'
      : 'Published layers, tables and sets, and documents, that you may see. q searches title, description, tags, categories and field names.',
    filters: {
      q: { type: 'string', description: 'Full-text search; results rank by relevance unless sort is given' },
      bbox: { type: 'bbox', lookups: ['intersects', 'within', 'contains'], description: 'minx,miny,maxx,maxy in EPSG:4326; intersects unless a lookup says otherwise' },
      kind: { type: 'enum', values: ['vector', 'table'], description: 'Data kind of layers (vector) and tables (table)' },
      type: { type: 'enum', values: ['layer', 'table', 'set', 'document'], description: 'Item type' },
      public: { type: 'boolean', description: 'Readable by everyone (group.everyone holds view)' },
      group: { type: 'integer', description: 'Owning group id' },
      license: { type: 'integer', description: 'License id' },
      'license.type': { type: 'string', description: 'License type: cc-by, cc-by-sa, ..., or cc for any Creative Commons license' },
      category: { type: 'string', description: 'Has this category' },
      tag: { type: 'string', description: 'Has this tag' },
      created_at: { type: 'datetime', lookups: ordered, description: 'When the item was created' },
      updated_at: { type: 'datetime', lookups: ordered, description: 'When the item last changed' },
      ...(latest && { 'version.status': { type: 'enum' as const, values: ['queued', 'importing', 'ok', 'error'], description: 'Import status of the newest version' } }),
    },
    orderings: ['name', 'title', 'created_at', 'updated_at', 'popularity', 'relevance'],
    defaultOrdering: ['-updated_at'],
    searchOrdering: ['relevance'],
    textFilter: 'q',
    fields: { ...itemFieldNames, 'license.type': 'license_type', 'version.status': 'version_status' },
    expansions: ['list'],
  };
}

function itemUrl(row: CatalogEntry, ctx: PresentContext): string {
  return ctx.urlFor(apiPath(row.kind === 'table' ? 'tables' : `${row.kind}s`, row.itemId));
}

function presentSummary(row: CatalogEntry, ctx: PresentContext) {
  return {
    id: row.itemId,
    url: itemUrl(row, ctx),
    type: row.kind,
    kind: row.kind === 'layer' ? 'vector' : row.kind,
    title: row.title,
    name: row.title,
    description: row.description,
    tags: row.tags,
    categories: row.categories,
    extent: bboxPolygon(row.extent),
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    published_at: row.publishedAt,
    version: { id: row.versionId, status: row.versionStatus },
  };
}

/** The item itself, as its own route shows it (undefined if it went away since the search). */
async function presentFull(ctx: DomainContext, row: CatalogEntry, pc: PresentContext, request: FastifyRequest) {
  if (row.kind === 'document') {
    const document = await ctx.store.documents.findById(row.itemId);
    return document && presentDocument(document, pc);
  }
  if (row.kind === 'set') {
    const version = await ctx.store.sets.findSetVersion(row.versionId!);
    return version && presentSet(await setAsSeenBy(ctx, request.actor, version), await visibleSetItems(ctx, request.actor, version), pc);
  }
  const version = await ctx.store.layers.findLayerVersion(row.versionId!);
  return version && presentLayer(await layerAsSeenBy(ctx, request.actor, version), pc);
}

/** `/data/` and `/data/latest/`: one search over what the caller may see. Anonymous callers see public items. */
export function registerCatalogRoutes(app: FastifyInstance, ctx: DomainContext): void {
  for (const latest of [false, true]) {
    registerListView(app, {
      url: latest ? '/data/latest/' : '/data/',
      spec: catalogSpec(latest),
      scope: 'catalog',
      auth: 'optional',
      tags: ['catalog'],
      list: (actor, query) => searchCatalog(ctx, actor, catalogQuery(latest ? 'latest' : 'published', query)),
      summary: presentSummary,
      rowsShared: true,
      full: async (row, pc, request) => (await presentFull(ctx, row, pc, request)) ?? presentSummary(row, pc),
    });
  }
}
