import type { DomainContext } from '../../domain/context.js';
import { failExport, performExport } from '../../domain/export-job.js';
import { exportJobKind } from '../../domain/exports.js';
import type { JobKind } from '../job-kind.js';

/** Writes an export's zip; as many run at once as the operator allows. */
export function exportJob(ctx: DomainContext): JobKind<{ exportId: number }> {
  return {
    name: exportJobKind,
    maxAttempts: 2,
    concurrency: ctx.settings.exportConcurrency,
    scratchLabel: ({ exportId }) => `export-${exportId}`,
    perform: ({ exportId }, job) => performExport(ctx, exportId, job.signal, job.scratch),
    onFailure: ({ exportId }, message, cancelled) => failExport(ctx, exportId, message, cancelled),
  };
}
