import { availableParallelism } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { MapshelfError } from '../domain/errors.js';
import type { JobRow } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { defaultMaxInterruptions, JobAbortedError, PermanentJobError, type JobKind } from './job-kind.js';

const pollMs = 1000;
const retryDelayMs = (attempt: number) => Math.min(60_000, 1000 * 2 ** attempt);

interface Running {
  job: JobRow;
  controller: AbortController;
  /** Why it was aborted, if it was. */
  reason?: 'cancel' | 'shutdown';
  done: Promise<void>;
}

/**
 * Runs durable jobs from the jobs table, a few of each kind at a time (a kind's `concurrency`,
 * else the pool's). Jobs found `running` at start belong to a process that died: they are
 * queued again, so nothing stays in progress for ever. Such an interruption (or a shutdown) is
 * not the job's failure: it is counted apart, under the kind's `maxInterruptions`, and gives
 * back the attempt its run had taken, so `maxAttempts` counts real failures only.
 */
export class WorkerPool {
  private readonly kinds = new Map<string, JobKind>();
  private readonly running = new Map<number, Running>();
  private timer: NodeJS.Timeout | null = null;
  private pumping = false;
  private again = false;
  private stopped = true;

  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
    private readonly concurrency = Math.max(1, availableParallelism()),
  ) {}

  register(kind: JobKind): void {
    this.kinds.set(kind.name, kind);
  }

  async start(): Promise<void> {
    // Failure handlers a dead process did not get to run: their rows would stay in progress.
    for (const job of await this.store.jobs.listFailuresDue()) {
      await this.handleFailure(job, job.error ?? 'The job failed.', job.status === 'cancelled');
    }
    for (const job of await this.store.jobs.listRunning()) {
      this.log.warn({ jobId: job.id, kind: job.kind, interruptions: job.interruptions + 1 }, 'job was interrupted; running it again');
      await this.interrupted(job, 'interrupted by a restart');
    }
    this.stopped = false;
    this.wake();
  }

  /** Queues a job a shutdown or crash stopped, unless that has happened too often. */
  private async interrupted(job: JobRow, reason: string): Promise<void> {
    const limit = this.kinds.get(job.kind)?.maxInterruptions ?? defaultMaxInterruptions;
    const now = new Date().toISOString();
    if (job.interruptions + 1 >= limit) {
      await this.failForGood(
        job,
        `The job kept being interrupted by server restarts or shutdowns (${job.interruptions + 1} times) and was given up; start it again.`,
        false,
      );
    } else {
      await this.store.jobs.interrupt(job.id, now, reason, now);
    }
  }

  /** Looks for due jobs now (call after enqueueing). */
  wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.again = false;
        while (!this.stopped) {
          const job = await this.store.jobs.claim(new Date().toISOString(), this.busyKinds());
          if (!job) break;
          this.launch(job);
        }
      } while (this.again && !this.stopped);
    } catch (error) {
      this.log.error({ err: error }, 'job queue poll failed');
    } finally {
      this.pumping = false;
      this.schedule();
    }
  }

  /** Kinds running as many jobs as they may. */
  private busyKinds(): string[] {
    const counts = new Map<string, number>();
    for (const { job } of this.running.values()) counts.set(job.kind, (counts.get(job.kind) ?? 0) + 1);
    return [...counts].filter(([kind, n]) => n >= (this.kinds.get(kind)?.concurrency ?? this.concurrency)).map(([kind]) => kind);
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => this.wake(), pollMs);
    this.timer.unref();
  }

  private launch(job: JobRow): void {
    const controller = new AbortController();
    const entry: Running = { job, controller, done: Promise.resolve() };
    entry.done = this.execute(entry).finally(() => {
      this.running.delete(job.id);
      this.wake();
    });
    this.running.set(job.id, entry);
  }

  private async execute(entry: Running): Promise<void> {
    const { job, controller } = entry;
    const kind = this.kinds.get(job.kind);
    const now = () => new Date().toISOString();
    if (!kind) {
      await this.store.jobs.finish(job.id, 'failed', `No handler for job kind "${job.kind}".`, now());
      return;
    }
    const payload = JSON.parse(job.payload) as unknown;
    try {
      await kind.perform(payload, { jobId: job.id, attempt: job.attempts, signal: controller.signal });
      await this.store.jobs.finish(job.id, 'done', null, now());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (entry.reason === 'shutdown') {
        // Not the job's fault: it runs again after the restart.
        await this.interrupted(job, 'interrupted by shutdown');
      } else if (entry.reason === 'cancel' || error instanceof JobAbortedError) {
        await this.failForGood(job, 'Cancelled.', true);
      } else if (error instanceof PermanentJobError || error instanceof MapshelfError || job.attempts >= job.max_attempts) {
        this.log.info({ jobId: job.id, kind: job.kind, err: error }, 'job failed');
        await this.failForGood(job, message, false);
      } else {
        this.log.warn({ jobId: job.id, kind: job.kind, err: error }, 'job failed; retrying');
        await this.store.jobs.requeue(job.id, new Date(Date.now() + retryDelayMs(job.attempts)).toISOString(), message, now());
      }
    }
  }

  private async failForGood(job: JobRow, message: string, cancelled: boolean): Promise<void> {
    await this.store.jobs.finish(job.id, cancelled ? 'cancelled' : 'failed', message, new Date().toISOString());
    await this.handleFailure(job, message, cancelled);
  }

  /** Runs the kind's `onFailure` (it must be safe to run twice: a crash may come before the mark is cleared). */
  private async handleFailure(job: JobRow, message: string, cancelled: boolean): Promise<void> {
    try {
      await this.kinds.get(job.kind)?.onFailure(JSON.parse(job.payload), message, cancelled);
      await this.store.jobs.failureHandled(job.id);
    } catch (error) {
      this.log.error({ jobId: job.id, err: error }, 'job failure handler failed');
    }
  }

  /** Cancels a job: a queued one never runs, a running one is aborted. */
  async cancel(jobId: number): Promise<void> {
    const abortRunning = async () => {
      const running = this.running.get(jobId);
      if (!running) return false;
      running.reason = 'cancel';
      running.controller.abort();
      await running.done;
      return true;
    };
    if (await abortRunning()) return;
    const job = await this.store.jobs.findById(jobId);
    if (job && (await this.store.jobs.cancelQueued(jobId, new Date().toISOString()))) await this.failForGood(job, 'Cancelled.', true);
    // Claimed in the meantime: it is running now, so abort it.
    else await abortRunning();
  }

  /** Stops taking jobs; running ones are aborted and queued again for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const entry of this.running.values()) {
      entry.reason = 'shutdown';
      entry.controller.abort();
    }
    await Promise.all([...this.running.values()].map((r) => r.done));
  }
}
