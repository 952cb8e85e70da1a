import { keepRecordWithVersion } from './record-snapshots.js';
import type { PublishItem, PublishItemRef, PublishRequest } from './model/publish.js';
import type { Repositories } from './ports/store.js';
import { isSiteAdmin, type Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { indexLayer, indexSet } from './catalog.js';
import { conflict, invalidInput, notFound } from './errors.js';
import { authorizeItem } from './item-access.js';
import type { ListQuery, ListResult } from './list-query.js';

export const publishJobKind = 'publish';

export interface PublishInput {
  /** Layer, table or set versions. */
  items: PublishItemRef[];
  publish_strategy: 'together' | 'individual';
  error_strategy: 'abort' | 'ignore';
  publish_at?: string | null;
}

export interface PublishDetail {
  request: PublishRequest;
  items: PublishItem[];
}

/** A publish request with its items. */
export async function publishDetail(ctx: DomainContext, request: PublishRequest): Promise<PublishDetail> {
  return { request, items: await ctx.store.publish.items(request.id) };
}

/**
 * Checks one item of a publish request: a version the actor may edit, not published, not
 * waiting elsewhere. (Which token scope publishing it takes is the face's to check.)
 */
async function checkItem(ctx: DomainContext, actor: Actor, item: PublishItemRef, where: string): Promise<void> {
  const what = `${item.kind === 'set-version' ? 'Set version' : 'Version'} ${item.id}`;
  let found: { ref: { kind: 'layer' | 'set'; id: number; group_id: number }; published_at: string | null } | undefined;
  if (item.kind === 'version') {
    const version = await ctx.store.layers.findLayerVersion(item.id);
    found = version && { ref: { kind: 'layer', id: version.layer_id, group_id: version.group_id }, published_at: version.published_at };
  } else {
    const version = await ctx.store.sets.findSetVersion(item.id);
    found = version && { ref: { kind: 'set', id: version.set_id, group_id: version.group_id }, published_at: version.published_at };
  }
  try {
    await authorizeItem(ctx, actor, found?.ref, 'edit', what);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) throw invalidInput(where, `no ${what.toLowerCase().replace(/ \d+$/, '')} you can see has id ${item.id}`);
    throw error;
  }
  await assertPublishable(ctx.store, item);
}

/** A version that is published, or waiting in another request, can't be requested again. */
async function assertPublishable(repos: Pick<Repositories, 'layers' | 'sets' | 'publish'>, item: PublishItemRef): Promise<void> {
  const what = `${item.kind === 'set-version' ? 'Set version' : 'Version'} ${item.id}`;
  const version = item.kind === 'version' ? await repos.layers.findLayerVersion(item.id) : await repos.sets.findSetVersion(item.id);
  if (version?.published_at != null) throw conflict(`${what} is published already.`);
  if ((await repos.publish.openRequestsFor(item)).length > 0) throw conflict(`${what} is waiting in another publish request.`);
}

/**
 * Requests publishing of versions. Each must be an unpublished version of a layer, table or set
 * the actor may edit, and not already waiting in another request. Runs at once unless
 * `publish_at` is in the future; versions still importing are published when their import ends.
 */
export async function createPublish(ctx: DomainContext, actor: Actor, input: PublishInput): Promise<PublishDetail> {
  if (input.items.length === 0) throw invalidInput('items', 'give at least one version URL');
  for (const [index, item] of input.items.entries()) await checkItem(ctx, actor, item, `items[${index}]`);
  const unique = [...new Map(input.items.map((i) => [`${i.kind}:${i.id}`, i])).values()];
  const at = timestamp(ctx);
  let publishAt: string | null = null;
  if (input.publish_at) {
    const when = Date.parse(input.publish_at);
    if (Number.isNaN(when)) throw invalidInput('publish_at', 'must be an ISO 8601 date-time');
    if (when > ctx.now().getTime()) publishAt = new Date(when).toISOString();
  }
  const request = await ctx.store.transaction(async (repos) => {
    // Again inside the transaction, so of concurrent requests for one version exactly one is made.
    for (const item of unique) await assertPublishable(repos, item);
    const created = await repos.publish.create(
      {
        state: 'pending',
        publish_strategy: input.publish_strategy,
        error_strategy: input.error_strategy,
        publish_at: publishAt,
        error: null,
        job_id: null,
        created_by: actor.kind === 'user' ? actor.user.id : 0,
        created_at: at,
        completed_at: null,
      },
      unique,
    );
    if (publishAt) {
      const jobId = await repos.jobs.enqueue({ kind: publishJobKind, payload: { publishId: created.id }, runAt: publishAt, maxAttempts: 3 }, at);
      await repos.publish.update(created.id, { job_id: jobId });
    }
    return created;
  });
  if (publishAt) ctx.jobs.wake();
  else await settle(ctx, request.id);
  return publishDetail(ctx, (await ctx.store.publish.findById(request.id))!);
}

/**
 * Moves a request on as far as its versions allow. `together` publishes all items in one
 * transaction once every one has imported; `individual` publishes each as it is ready. A failed
 * import aborts the request, or is skipped with `error_strategy: ignore`.
 */
export async function settle(ctx: DomainContext, publishId: number): Promise<void> {
  const published = await settleInTransaction(ctx, publishId);
  for (const item of published) await (item.item_type === 'set' ? indexSet(ctx, item.item_id) : indexLayer(ctx, item.item_id));
}

const refOf = (item: PublishItem): PublishItemRef => ({ kind: item.kind, id: item.version_id });

/** Returns the items it published. */
async function settleInTransaction(ctx: DomainContext, publishId: number): Promise<PublishItem[]> {
  return ctx.store.transaction(async (repos) => {
    const request = await repos.publish.findById(publishId);
    if (!request || (request.state !== 'pending' && request.state !== 'publishing')) return [];
    if (request.publish_at && Date.parse(request.publish_at) > ctx.now().getTime()) return [];
    const items = await repos.publish.items(publishId);
    const at = timestamp(ctx);
    const failed = items.filter((i) => i.status === 'error');
    const waiting = items.filter((i) => i.status === 'queued' || i.status === 'importing');
    const ready = items.filter((i) => i.status === 'ok' && i.published_at === null && i.state === 'pending');

    if (failed.length > 0 && request.error_strategy === 'abort' && (request.publish_strategy === 'together' || waiting.length + ready.length > 0)) {
      for (const item of failed) await repos.publish.setItemState(publishId, refOf(item), 'error');
      await repos.publish.update(publishId, {
        state: 'error',
        error: `The import of version(s) ${failed.map((i) => i.version_id).join(', ')} failed, so nothing more was published.`,
        completed_at: at,
      });
      return [];
    }
    if (request.publish_strategy === 'together' && waiting.length > 0) {
      await repos.publish.update(publishId, { state: 'publishing' });
      return [];
    }
    for (const item of ready) {
      if (item.kind === 'set-version') await repos.sets.publishVersion(item.version_id, item.item_id, at);
      else await repos.publish.publishVersion(item.version_id, item.item_id, at);
      const words = item.kind === 'set-version' ? await repos.sets.findSetVersion(item.version_id) : await repos.layers.findVersion(item.version_id);
      await keepRecordWithVersion(
        repos,
        { kind: item.kind === 'set-version' ? 'set' : 'layer', id: item.item_id },
        item.kind === 'set-version' ? { set_version_id: item.version_id } : { version_id: item.version_id },
        { title: words?.title ?? '', description: words?.description ?? '' },
        at,
      );
      await repos.publish.setItemState(publishId, refOf(item), 'published');
    }
    for (const item of failed) await repos.publish.setItemState(publishId, refOf(item), 'error');
    if (waiting.length > 0) await repos.publish.update(publishId, { state: 'publishing' });
    else await repos.publish.update(publishId, { state: failed.length > 0 && ready.length === 0 ? 'error' : 'completed', completed_at: at });
    return ready;
  });
}

/** Called when a version's import ends, either way. */
export async function settlePublishRequests(ctx: DomainContext, versionId: number): Promise<void> {
  for (const request of await ctx.store.publish.openRequestsFor({ kind: 'version', id: versionId })) await settle(ctx, request.id);
}

export async function listPublish(ctx: DomainContext, actor: Actor, query: ListQuery): Promise<ListResult<PublishRequest>> {
  return ctx.store.publish.list(query, isSiteAdmin(actor) ? null : actor.kind === 'user' ? actor.user.id : -1);
}

export async function getPublish(ctx: DomainContext, actor: Actor, id: number): Promise<PublishDetail> {
  const request = await ctx.store.publish.findById(id);
  const mine = request && (isSiteAdmin(actor) || (actor.kind === 'user' && actor.user.id === request.created_by));
  if (!request || !mine) throw notFound(`Publish request ${id}`);
  return publishDetail(ctx, request);
}

/** Cancels a request that has not finished. */
export async function cancelPublish(ctx: DomainContext, actor: Actor, id: number): Promise<void> {
  const { request } = await getPublish(ctx, actor, id);
  if (request.state !== 'pending' && request.state !== 'publishing') {
    throw conflict(`Publish request ${id} is ${request.state}; only pending ones can be cancelled.`);
  }
  await ctx.store.publish.update(id, { state: 'cancelled', completed_at: timestamp(ctx) });
  if (request.job_id) await ctx.jobs.cancel(request.job_id);
}
