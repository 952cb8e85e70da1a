import type { FastifyBaseLogger } from 'fastify';
import type { ProcessConfig } from '../config.js';
import { createDomainContext, type DomainContext } from '../domain/context.js';
import type { Store } from '../domain/ports/store.js';
import { JobQueue } from './job-queue.js';
import { registerJobKinds } from './kinds/index.js';

/** The domain over a store and the process's job queue, with every job kind registered: what each process role runs on. */
export interface JobRuntime {
  domain: DomainContext;
  jobs: JobQueue;
}

/** Builds the domain and its job queue (workers not started) over an open store. */
export function createJobRuntime(store: Store, log: FastifyBaseLogger, config: ProcessConfig): JobRuntime {
  const jobs = new JobQueue(store.jobs, log, config.dataDir, { leaseSeconds: config.jobLease, renewalSeconds: config.jobRenewal, pollSeconds: 1 });
  const domain = createDomainContext(store, config.dataDir, jobs, {
    exportTtl: config.exportTtl,
    exportConcurrency: config.exportConcurrency,
    uploadLimit: config.uploadLimit,
    extractLimit: config.extractLimit,
    hostedFileLimit: config.hostedFileLimit,
  });
  registerJobKinds(jobs, domain);
  return { domain, jobs };
}
