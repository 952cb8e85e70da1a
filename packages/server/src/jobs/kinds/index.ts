import type { DomainContext } from '../../domain/context.js';
import type { WorkerPool } from '../worker-pool.js';
import { exportJob } from './export.js';
import { importVersionJob } from './import-version.js';
import { publishJob } from './publish.js';
import { scanSourceJob } from './scan-source.js';

/** Every job kind the server runs, registered once. */
export function registerJobKinds(pool: WorkerPool, ctx: DomainContext): void {
  pool.register(scanSourceJob(ctx));
  pool.register(importVersionJob(ctx));
  pool.register(publishJob(ctx));
  pool.register(exportJob(ctx));
}
