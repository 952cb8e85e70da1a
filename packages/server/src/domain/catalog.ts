import { ftsQuery, type CatalogView } from '../store/catalog-repository.js';
import { invalidParameter } from './errors.js';
import type { LayerVersionRow } from '../store/layers-repository.js';
import type { CatalogItemRow } from '../store/schema.js';
import type { Actor } from './actor.js';
import type { DomainContext } from './context.js';
import { visibilityFor } from './item-access.js';
import type { ListQuery, ListResult } from './list-query.js';

async function rowOf(ctx: DomainContext, view: CatalogView, v: LayerVersionRow) {
  const license = v.license_id === null ? undefined : await ctx.store.licenses.findById(v.license_id);
  const extent = v.extent ? (JSON.parse(v.extent) as [number, number, number, number]) : null;
  return {
    kind: v.layer_type,
    item_id: v.layer_id,
    view,
    version_id: v.id,
    version_status: v.status,
    group_id: v.group_id,
    title: v.title,
    description: v.description,
    tags: v.tags,
    categories: v.categories,
    fields: (JSON.parse(v.fields) as Array<{ name: string }>).map((f) => f.name).join(' '),
    license_id: v.license_id,
    license_type: license?.type ?? null,
    minx: extent?.[0] ?? null,
    miny: extent?.[1] ?? null,
    maxx: extent?.[2] ?? null,
    maxy: extent?.[3] ?? null,
    created_at: v.layer_created_at,
    updated_at: v.updated_at,
    published_at: v.published_at,
  };
}

/**
 * Brings a layer's catalog rows in line with its versions: `published` shows its published
 * version (none until published), `latest` its newest. Call after anything that changes them.
 */
export async function indexLayer(ctx: DomainContext, layerId: number): Promise<void> {
  const layer = await ctx.store.layers.findLayer(layerId);
  if (!layer) {
    for (const kind of ['layer', 'table'] as const) await ctx.store.catalog.remove(kind, layerId);
    return;
  }
  const latest = await ctx.store.layers.latestVersion(layerId);
  for (const [view, versionId] of [
    ['published', layer.published_version_id],
    ['latest', latest?.id ?? null],
  ] as const) {
    const version = versionId === null ? undefined : await ctx.store.layers.findLayerVersion(versionId);
    if (version) await ctx.store.catalog.upsert(await rowOf(ctx, view, version));
    else await ctx.store.catalog.remove(layer.type, layerId, view);
  }
}

/** Searches the catalog as the actor may see it. */
export async function searchCatalog(ctx: DomainContext, actor: Actor, view: CatalogView, query: ListQuery): Promise<ListResult<CatalogItemRow>> {
  for (const value of query.filters.find((f) => f.field === 'q')?.values ?? []) {
    if (ftsQuery(String(value)) === '') throw invalidParameter('query.q', 'give at least one word (letters or digits) to search for');
  }
  return ctx.store.catalog.search(view, query, await visibilityFor(ctx, actor));
}

/** Counts a view of an item's detail towards its popularity. */
export async function countView(ctx: DomainContext, kind: CatalogItemRow['kind'], itemId: number): Promise<void> {
  await ctx.store.catalog.bumpPopularity(kind, itemId);
}
