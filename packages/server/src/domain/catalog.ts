import { sampleTextValues } from '../geo/text-values.js';
import { absolute } from './data-paths.js';
import { invalidInput } from './errors.js';
import type { Bbox } from '../geo/crop.js';
import type { DocumentItem } from './model/documents.js';
import type { LayerView } from './model/layers.js';
import type { SetItemType, SetView } from './model/sets.js';
import type { Actor } from './actor.js';
import type { DomainContext } from './context.js';
import { visibilityFor } from './item-access.js';
import type { CatalogKind, CatalogSearchQuery, CatalogSearchResult, CatalogView } from './ports/catalog-search.js';

/** Tags and categories as the catalog rows hold them: JSON text, whose words the full-text index reads. */
const catalogText = (words: string[]) => JSON.stringify(words);

const views = ['published', 'latest'] as const;

async function licenseType(ctx: DomainContext, licenseId: number | null): Promise<string | null> {
  return licenseId === null ? null : ((await ctx.store.licenses.findById(licenseId))?.type ?? null);
}

function bboxColumns(extent: Bbox | null) {
  return { minx: extent?.[0] ?? null, miny: extent?.[1] ?? null, maxx: extent?.[2] ?? null, maxy: extent?.[3] ?? null };
}

/**
 * A version's sampled text values (`geo/text-values.ts`), one a line. They are read from its
 * GeoPackage the first time the version is indexed with its data, which is at the end of its
 * import, and kept; versions imported before this existed get them when next indexed.
 */
async function textValues(ctx: DomainContext, v: LayerView): Promise<string> {
  if (v.status !== 'ok' || v.data_file === null) return '';
  let values = await ctx.store.catalog.textValues(v.id);
  if (!values) {
    try {
      // A draft sharing its file with an earlier version takes that version's values, unread.
      values = (await ctx.store.catalog.textValuesOfFile(v.data_file)) ?? sampleTextValues(absolute(ctx.dataDir, v.data_file));
    } catch {
      // A missing or unreadable file: the version is searched without its values, and tried again next time.
      return '';
    }
    await ctx.store.catalog.putTextValues(v.id, values);
  }
  return values.join('\n');
}

async function layerRow(ctx: DomainContext, view: CatalogView, v: LayerView) {
  return {
    kind: v.layer_type,
    item_id: v.layer_id,
    view,
    version_id: v.id,
    version_status: v.status,
    group_id: v.group_id,
    title: v.title,
    description: v.description,
    tags: catalogText(v.tags),
    categories: catalogText(v.categories),
    fields: v.fields.map((f) => f.name).join(' '),
    text_values: await textValues(ctx, v),
    license_id: v.license_id,
    license_type: await licenseType(ctx, v.license_id),
    ...bboxColumns(v.extent),
    created_at: v.layer_created_at,
    updated_at: v.updated_at,
    published_at: v.published_at,
  };
}

async function setRow(ctx: DomainContext, view: CatalogView, v: SetView) {
  return {
    kind: 'set' as const,
    item_id: v.set_id,
    view,
    version_id: v.id,
    version_status: 'ok',
    group_id: v.group_id,
    title: v.title,
    description: v.description,
    tags: catalogText(v.tags),
    categories: catalogText(v.categories),
    fields: '',
    license_id: v.license_id,
    license_type: await licenseType(ctx, v.license_id),
    ...bboxColumns(await setExtent(ctx, v.id)),
    created_at: v.set_created_at,
    updated_at: v.updated_at,
    published_at: v.published_at,
  };
}

async function documentRow(ctx: DomainContext, view: CatalogView, d: DocumentItem) {
  return {
    kind: 'document' as const,
    item_id: d.id,
    view,
    version_id: null,
    version_status: 'ok',
    group_id: d.group_id,
    title: d.title,
    description: d.description,
    tags: catalogText(d.tags),
    categories: catalogText(d.categories),
    fields: d.filename,
    license_id: d.license_id,
    license_type: await licenseType(ctx, d.license_id),
    ...bboxColumns(null),
    created_at: d.created_at,
    updated_at: d.updated_at,
    published_at: d.created_at,
  };
}

/** Sets show their items' extents, so they are indexed again when an item changes. */
async function indexSetsHolding(ctx: DomainContext, type: SetItemType, itemId: number): Promise<void> {
  for (const setId of await ctx.store.sets.setsHolding(type, itemId)) await indexSet(ctx, setId);
}

/**
 * Brings a layer's catalog rows in line with its versions: `published` shows its published
 * version (none until published), `latest` its newest. Call after anything that changes them.
 */
export async function indexLayer(ctx: DomainContext, layerId: number): Promise<void> {
  const layer = await ctx.store.layers.findLayer(layerId);
  if (!layer) {
    for (const kind of ['layer', 'table'] as const) {
      await ctx.store.catalog.remove(kind, layerId);
      await indexSetsHolding(ctx, kind, layerId);
    }
    return;
  }
  const latest = await ctx.store.layers.latestVersion(layerId);
  for (const [view, versionId] of [
    ['published', layer.published_version_id],
    ['latest', latest?.id ?? null],
  ] as const) {
    const version = versionId === null ? undefined : await ctx.store.layers.findLayerVersion(versionId);
    if (version) await ctx.store.catalog.upsert(await layerRow(ctx, view, version));
    else await ctx.store.catalog.remove(layer.type, layerId, view);
  }
  await indexSetsHolding(ctx, layer.type, layerId);
}

/** The same for a set: its published version, and its newest. */
export async function indexSet(ctx: DomainContext, setId: number): Promise<void> {
  const set = await ctx.store.sets.findSet(setId);
  const latest = set && (await ctx.store.sets.latestVersion(setId));
  for (const [view, versionId] of [
    ['published', set?.published_version_id ?? null],
    ['latest', latest?.id ?? null],
  ] as const) {
    const version = versionId === null ? undefined : await ctx.store.sets.findSetVersion(versionId);
    if (version) await ctx.store.catalog.upsert(await setRow(ctx, view, version));
    else await ctx.store.catalog.remove('set', setId, view);
  }
}

/** Documents have no versions: both views show them as they are. */
export async function indexDocument(ctx: DomainContext, documentId: number): Promise<void> {
  const document = await ctx.store.documents.findById(documentId);
  if (!document) await ctx.store.catalog.remove('document', documentId);
  else for (const view of views) await ctx.store.catalog.upsert(await documentRow(ctx, view, document));
}

/** The union of the extents of a set version's layers and tables, as published. */
export async function setExtent(ctx: DomainContext, setVersionId: number): Promise<Bbox | null> {
  let box: Bbox | null = null;
  for (const item of await ctx.store.sets.items(setVersionId)) {
    if (item.item_type === 'document') continue;
    const layer = await ctx.store.layers.findLayer(item.item_id);
    if (layer?.type !== item.item_type) continue;
    // Only published data counts: a draft's extent is for its editors, and the set's is public to its readers.
    const extent = layer.published_version_id === null ? null : (await ctx.store.layers.findVersion(layer.published_version_id))?.extent;
    if (!extent) continue;
    const [minx, miny, maxx, maxy] = extent;
    box = box ? [Math.min(box[0], minx), Math.min(box[1], miny), Math.max(box[2], maxx), Math.max(box[3], maxy)] : [minx, miny, maxx, maxy];
  }
  return box;
}

/**
 * The words of a search, as every store matches them: runs of letters, digits and `_`; case and
 * diacritics are the store's to fold.
 */
export function searchWords(text: string): string[] {
  return text.match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/** A catalog search as a face asks it: searches as typed, and no access rule (the caller's is added here). */
export type CatalogQuery = Omit<CatalogSearchQuery, 'text' | 'visibility' | 'editors'> & { text: string[] };

/** Searches the catalog as the actor may see it. */
export async function searchCatalog(ctx: DomainContext, actor: Actor, query: CatalogQuery): Promise<CatalogSearchResult> {
  const text = query.text.map((typed) => {
    const words = searchWords(typed);
    if (words.length === 0) throw invalidInput('text', 'give at least one word (letters or digits) to search for');
    return words;
  });
  // The latest view shows unpublished versions only to those who may edit the item; others see what is published.
  const editors = query.view === 'latest' ? visibilityFor(actor, 'edit') : undefined;
  return ctx.store.catalogSearch.search({ ...query, text, visibility: visibilityFor(actor), ...(editors && { editors }) });
}

/** Counts a use of an item (a view of its detail, or a download) towards its popularity. */
export async function countUse(ctx: DomainContext, kind: CatalogKind, itemId: number): Promise<void> {
  await ctx.store.catalog.bumpPopularity(kind, itemId);
}
