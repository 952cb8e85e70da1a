import type { PublishDetail } from '../../../domain/publishing.js';
import type { PublishItem, PublishRequest } from '../../../domain/model/publish.js';
import type { PresentContext } from '../conventions/present.js';
import { apiPath } from '../conventions/urls.js';
import { collectionOf } from '../layers/presenter.js';

const itemUrl = (i: PublishItem, ctx: PresentContext) =>
  ctx.urlFor(apiPath(i.item_type === 'set' ? 'sets' : collectionOf(i.item_type), i.item_id, 'versions', i.version_id));

export function presentPublishSummary(request: PublishRequest, ctx: PresentContext) {
  return {
    id: request.id,
    url: ctx.urlFor(apiPath('publish', request.id)),
    state: request.state,
    created_at: request.created_at,
    publish_at: request.publish_at,
  };
}

export function presentPublish({ request, items }: PublishDetail, ctx: PresentContext) {
  return {
    ...presentPublishSummary(request, ctx),
    created_by: { id: request.created_by, url: ctx.urlFor(apiPath('users', request.created_by)) },
    publish_strategy: request.publish_strategy,
    error_strategy: request.error_strategy,
    completed_at: request.completed_at,
    error: request.error,
    items: items.map((i) => itemUrl(i, ctx)),
    item_states: items.map((i) => ({ item: itemUrl(i, ctx), version: i.version_id, state: i.state, import_status: i.status })),
  };
}
