import type { FastifyBaseLogger } from 'fastify';
import type { DomainContext } from '../domain/context.js';
import { expireExports } from '../domain/export-job.js';

/**
 * Sweeps expired exports now and then: every minute, or more often when exports live less
 * than two minutes. Returns a function that stops it.
 */
export function startExportExpiry(ctx: DomainContext, log: FastifyBaseLogger): () => void {
  const everyMs = Math.max(1000, Math.min(60_000, (ctx.settings.exportTtl * 1000) / 2));
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const count = await expireExports(ctx);
      if (count > 0) log.info({ count }, 'expired exports');
    } catch (error) {
      log.error({ err: error }, 'export expiry failed');
    } finally {
      running = false;
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
