import type { DomainContext } from '../../domain/context.js';
import { publishJobKind, settle } from '../../domain/publishing.js';
import type { JobKind } from '../job-kind.js';

/** Runs a scheduled publish request when its `publish_at` comes. */
export function publishJob(ctx: DomainContext): JobKind<{ publishId: number }> {
  return {
    name: publishJobKind,
    maxAttempts: 3,
    perform: ({ publishId }) => settle(ctx, publishId),
    onFailure: async ({ publishId }, message, cancelled) => {
      const request = await ctx.store.publish.findById(publishId);
      if (!cancelled && request && (request.state === 'pending' || request.state === 'publishing')) {
        await ctx.store.publish.update(publishId, { state: 'error', error: message, completed_at: ctx.now().toISOString() });
      }
    },
  };
}
