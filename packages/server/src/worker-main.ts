import Fastify from 'fastify';
import type { ProcessConfig } from './config.js';
import { loggerOptions } from './log-lines.js';
import { createJobRuntime } from './jobs/job-runtime.js';
import type { JobQueue } from './jobs/job-queue.js';
import type { RunningProcess } from './main.js';
import type { Store } from './domain/ports/store.js';
import { openStore } from './store/open-store.js';

export interface RunningWorker extends RunningProcess {
  store: Store;
  jobs: JobQueue;
  /** Stops taking jobs, queues the running ones again for other workers, then closes the database. */
  close(): Promise<void>;
}

/**
 * Starts a worker-only process (`mapshelf worker`): it opens the store, runs jobs, and listens on
 * no port. It takes no data-folder lock: any number run beside one API process (see lockDataDir).
 */
export async function startWorker(config: ProcessConfig): Promise<RunningWorker> {
  // Fastify's own pino, set up as the server's is; the instance never listens.
  const { log } = Fastify({ logger: loggerOptions(config) });
  const store = await openStore(config);
  try {
    const { jobs } = createJobRuntime(store, log, config);
    await jobs.workers.start();
    // The pool's timers don't hold the process open (an embedding process may stop when it likes); a worker runs until told to stop.
    const alive = setInterval(() => {}, 2 ** 30);
    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= (async () => {
        clearInterval(alive);
        await jobs.workers.stop();
        await store.close();
      })());
    log.info({ dataDir: config.dataDir, holder: jobs.holder }, 'worker started');
    return { log, store, jobs, close };
  } catch (error) {
    await store.close();
    throw error;
  }
}
