import type { JobControl } from './ports/job-queue.js';
import type { Store } from './ports/store.js';

/** Operator settings the domain follows. */
export interface DomainSettings {
  /** Seconds a finished export stays downloadable. */
  exportTtl: number;
  /** Exports running at once. */
  exportConcurrency: number;
  /** Largest upload (all its file parts together), in bytes. */
  uploadLimit: number;
  /** Largest total of an upload once its zips are extracted, in bytes. */
  extractLimit: number;
  /** Largest hosted file of a metadata record's link, in bytes. */
  hostedFileLimit: number;
}

export const defaultSettings: DomainSettings = { exportTtl: 7 * 86400, exportConcurrency: 2, uploadLimit: 2 * 1024 ** 3, extractLimit: 8 * 1024 ** 3, hostedFileLimit: 20 * 1024 ** 2 };

/** What every use case needs: the store, the data folder, the job queue, settings and a clock. */
export interface DomainContext {
  store: Store;
  /** Absolute path of the data folder; files are stored under it by relative path. */
  dataDir: string;
  jobs: JobControl;
  settings: DomainSettings;
  now(): Date;
}

export function createDomainContext(store: Store, dataDir: string, jobs: JobControl, settings: DomainSettings = defaultSettings): DomainContext {
  return { store, dataDir, jobs, settings, now: () => new Date() };
}

export function timestamp(ctx: DomainContext): string {
  return ctx.now().toISOString();
}
