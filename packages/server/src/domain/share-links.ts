/**
 * A share's link (`/s/{share}/{urlToken}`): anyone holding it reads the records of the catalogs
 * the share opens, published ones only, until the token is refreshed. A wrong token, an
 * unknown share and a share without a link answer alike, so links can't be probed.
 */
import { timingSafeEqual } from 'node:crypto';
import type { DomainContext } from './context.js';
import { notFound } from './errors.js';
import type { Share } from './model/shares.js';
import { recordForLink, type RecordView } from './records.js';

async function linkedShare(ctx: DomainContext, shareUid: string, token: string): Promise<Share> {
  const share = await ctx.store.shares.findByUid(shareUid);
  const expected = Buffer.from(share?.url_token ?? '');
  const given = Buffer.from(token);
  if (!share || expected.length === 0 || expected.length !== given.length || !timingSafeEqual(expected, given)) throw notFound('This share link (it may have been renewed)');
  return share;
}

/** The share and the records its link shows, by title. */
export async function sharedRecords(ctx: DomainContext, shareUid: string, token: string): Promise<{ share: Share; records: RecordView[] }> {
  const share = await linkedShare(ctx, shareUid, token);
  const records = await Promise.all(
    (await ctx.store.shares.recordIds(share.id)).map(async (id) => {
      const record = await ctx.store.records.findById(id);
      return record && recordForLink(ctx, record);
    }),
  );
  const shown = records.filter((view): view is RecordView => view !== undefined);
  const titleOf = (view: RecordView) => view.record.fields.title ?? view.facts?.title ?? '';
  return { share, records: shown.sort((a, b) => titleOf(a).localeCompare(titleOf(b))) };
}

/** One record the link shows. */
export async function sharedRecord(ctx: DomainContext, shareUid: string, token: string, recordUid: string): Promise<{ share: Share; view: RecordView }> {
  const share = await linkedShare(ctx, shareUid, token);
  const record = await ctx.store.records.findByUid(recordUid);
  const opened = record && (await ctx.store.shares.recordIds(share.id)).includes(record.id);
  const view = opened ? await recordForLink(ctx, record) : undefined;
  if (!view) throw notFound(`Record ${recordUid} in this share`);
  return { share, view };
}
