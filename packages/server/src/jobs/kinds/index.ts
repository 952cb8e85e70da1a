import type { DomainContext } from '../../domain/context.js';
import type { JobQueue } from '../job-queue.js';
import { exportJob } from './export.js';
import { importVersionJob } from './import-version.js';
import { publishJob } from './publish.js';
import { scanSourceJob } from './scan-source.js';

/** Every job kind the server runs, registered once. */
export function registerJobKinds(queue: JobQueue, ctx: DomainContext): void {
  queue.register(scanSourceJob(ctx));
  queue.register(importVersionJob(ctx));
  queue.register(publishJob(ctx));
  queue.register(exportJob(ctx));
}
