import type { Store } from '../store/store.js';

/** How the domain reaches the job queue: wake the workers after committing new jobs, or cancel one. */
export interface JobControl {
  wake(): void;
  cancel(jobId: number): Promise<void>;
}

/** What every use case needs: the store, the data folder, the job queue and a clock. */
export interface DomainContext {
  store: Store;
  /** Absolute path of the data folder; files are stored under it by relative path. */
  dataDir: string;
  jobs: JobControl;
  now(): Date;
}

export function createDomainContext(store: Store, dataDir: string, jobs: JobControl): DomainContext {
  return { store, dataDir, jobs, now: () => new Date() };
}

export function timestamp(ctx: DomainContext): string {
  return ctx.now().toISOString();
}
