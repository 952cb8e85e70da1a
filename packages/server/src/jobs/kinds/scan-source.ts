import type { DomainContext } from '../../domain/context.js';
import { failScan, performScan } from '../../domain/scanning.js';
import { scanJobKind } from '../../domain/sources.js';
import type { JobKind } from '../job-kind.js';

/** Lists a source's datasources with GDAL. */
export function scanSourceJob(ctx: DomainContext): JobKind<{ scanId: number }> {
  return {
    name: scanJobKind,
    maxAttempts: 3,
    perform: ({ scanId }, job) => performScan(ctx, scanId, job.signal),
    onFailure: ({ scanId }, message, cancelled) => failScan(ctx, scanId, message, cancelled),
  };
}
