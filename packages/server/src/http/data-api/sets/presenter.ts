import type { VisibleSetItem } from '../../../domain/sets.js';
import type { SetView } from '../../../domain/model/sets.js';
import { presentDescription } from '../conventions/item-fields.js';
import type { PresentContext } from '../conventions/present.js';
import { apiPath } from '../conventions/urls.js';
import { presentDocument } from '../documents/presenter.js';
import { collectionOf, presentLayer } from '../layers/presenter.js';
import { metadataRoot } from '../../shared/face-roots.js';

const setVersionUrl = (row: Pick<SetView, 'set_id' | 'id'>, ctx: PresentContext) => ctx.urlFor(apiPath('sets', row.set_id, 'versions', row.id));

export function setItemUrl(item: Pick<VisibleSetItem, 'item_type' | 'item_id'>, ctx: PresentContext): string {
  return ctx.urlFor(apiPath(item.item_type === 'document' ? 'documents' : collectionOf(item.item_type), item.item_id));
}

export function presentSetSummary(row: SetView, ctx: PresentContext) {
  return {
    id: row.set_id,
    url: ctx.urlFor(apiPath('sets', row.set_id)),
    type: 'set' as const,
    title: row.title,
    name: row.title,
    first_published_at: row.first_published_at,
    published_at: row.published_at,
    version: { id: row.id, url: setVersionUrl(row, ctx), status: 'ok' },
  };
}

/**
 * A set object. `items` holds only what the caller may view: URLs, or with `Expand: items`
 * the items themselves.
 */
export function presentSet(row: SetView, items: VisibleSetItem[], ctx: PresentContext) {
  const thisVersion = setVersionUrl(row, ctx);
  const setUrl = ctx.urlFor(apiPath('sets', row.set_id));
  return {
    ...presentSetSummary(row, ctx),
    ...presentDescription(row, ctx),
    settings: row.settings,
    items: ctx.expand.has('items')
      ? items.map((item) => ('layer' in item ? presentLayer(item.layer, ctx) : presentDocument(item.document, ctx)))
      : items.map((item) => setItemUrl(item, ctx)),
    created_at: row.set_created_at,
    url_html: null,
    published_version: row.published_version_id === null ? null : ctx.urlFor(apiPath('sets', row.set_id, 'versions', row.published_version_id)),
    latest_version: ctx.urlFor(apiPath('sets', row.set_id, 'versions', row.latest_version_id)),
    this_version: thisVersion,
    version: {
      id: row.id,
      url: thisVersion,
      number: row.number,
      status: 'ok',
      created_at: row.created_at,
      created_by: { id: row.created_by, url: ctx.urlFor(apiPath('users', row.created_by)) },
      published_at: row.published_at,
    },
    metadata: { iso: `${thisVersion}metadata/iso/`, dc: `${thisVersion}metadata/dc/`, native: `${thisVersion}metadata/`, record: ctx.urlFor(`${metadataRoot}/resources/${row.set_uid}/`) },
    permissions: `${setUrl}permissions/`,
  };
}
