import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { Job, JobControl, JobHold, JobStore, Lease } from '../domain/ports/job-queue.js';
import { defaultMaxInterruptions, type JobKind } from './job-kind.js';
import { removeScratch, scratchFolder } from './job-scratch.js';
import { holderIsGone, holderName } from './lease-holders.js';
import { WorkerPool } from './worker-pool.js';

/** How jobs are shared between processes. */
export interface JobTiming {
  /**
   * Seconds a claimed job's lease lasts unless renewed. A process that dies holds its jobs this
   * long at most before another takes them over.
   * @default 60
   */
  leaseSeconds: number;
  /** Seconds between renewals of the leases a worker holds; well under the lease, so a late renewal costs nothing. @default 15 */
  renewalSeconds: number;
  /** Seconds between a worker's looks for jobs enqueued elsewhere, cancels asked for elsewhere, and ended leases. @default 1 */
  pollSeconds: number;
}

export const defaultJobTiming: JobTiming = { leaseSeconds: 60, renewalSeconds: 15, pollSeconds: 1 };

/** How often a cancel looks whether the worker of another process has stopped the job. */
const cancelWaitMs = 100;

const iso = () => new Date().toISOString();

/** The job's lease as read, for an update that takes it over only if nothing changed since. */
const seenHold = (job: Job): JobHold => ({ holder: job.lockedBy, until: job.lockedUntil });

/**
 * The job queue of one process: the kinds it knows, its name on the leases it takes, and its
 * worker pool, started only in the roles that run jobs. It is the domain's `JobControl`, and
 * settles what dead processes left (runs whose lease ended, failure handlers never run).
 */
export class JobQueue implements JobControl {
  /** This queue's name on its leases (two queues in one process differ). */
  readonly holder = holderName();
  readonly workers: WorkerPool;
  private readonly kinds = new Map<string, JobKind>();

  constructor(
    readonly store: JobStore,
    readonly log: FastifyBaseLogger,
    /** The data folder, which holds the jobs' scratch folders. */
    readonly dataDir: string,
    readonly timing: JobTiming = defaultJobTiming,
    concurrency?: number,
  ) {
    this.workers = new WorkerPool(this, concurrency);
  }

  register(kind: JobKind): void {
    this.kinds.set(kind.name, kind);
  }

  kind(name: string): JobKind | undefined {
    return this.kinds.get(name);
  }

  /** The scratch folder of the run the job row describes. */
  scratchOf(job: Job): string {
    return scratchFolder(this.dataDir, this.kinds.get(job.kind)?.scratchLabel?.(job.payload) ?? job.kind, job);
  }

  /** A lease for this queue, from now. */
  lease(): Lease {
    return { holder: this.holder, until: new Date(Date.now() + this.timing.leaseSeconds * 1000).toISOString() };
  }

  /**
   * Starts this process's workers on new jobs now. Workers of other processes find them at their
   * next poll; a store with notifications (PostgreSQL's NOTIFY, LISTENed to by each pool) would
   * tell them here.
   */
  wake(): void {
    this.workers.wake();
  }

  async cancel(jobId: number): Promise<void> {
    for (;;) {
      // Running here: aborted at once (the run settles it).
      await this.workers.abort(jobId);
      const job = await this.store.findById(jobId);
      if (!job) return;
      const now = iso();
      if (job.status === 'queued') {
        const lease = this.lease();
        if (await this.store.cancelQueued(jobId, lease, now)) return this.runFailureHandler(job, lease.holder, 'Cancelled.', true);
      } else if (job.status === 'running' && !job.cancelRequested) {
        // Its worker, in another process, stops it at its next poll.
        await this.store.requestCancel(jobId, now);
      } else if (job.status !== 'running' && !job.onFailureDue) {
        return; // stopped, and its onFailure has run
      } else if (this.abandoned(job, now) && (await this.takeOver(job))) {
        return; // its process died: settled here
      }
      await sleep(cancelWaitMs);
    }
  }

  /**
   * Whether nobody is seeing to the job any more: its lease has ended, or its holder is a process
   * known to be dead. Never this process's own run, which outlives its lease only because the
   * process stalled (a long blocking GDAL call), and renews as soon as it can.
   */
  private abandoned(job: Job, now: string): boolean {
    if (job.lockedBy === this.holder && this.workers.runs(job.id)) return false;
    return job.lockedUntil === null || job.lockedUntil < now || holderIsGone(job.lockedBy);
  }

  /** Settles what dead or stalled processes left: their runs, and the failure handlers they never ran. */
  async recover(): Promise<void> {
    const now = iso();
    for (const job of await this.store.unsettled()) if (this.abandoned(job, now)) await this.takeOver(job);
  }

  /**
   * Takes over an abandoned job: a run is queued again (cancelled, if that was asked for), a
   * pending failure handler is run here. False if another process took it first, or its holder
   * renewed just in time.
   */
  private async takeOver(job: Job): Promise<boolean> {
    const hold = seenHold(job);
    if (job.status !== 'running') {
      const lease = this.lease();
      if (!(await this.store.takeFailure(job.id, hold, lease))) return false;
      await this.runFailureHandler(job, lease.holder, job.error ?? 'The job failed.', job.status === 'cancelled');
      return true;
    }
    const settled = job.cancelRequested ? await this.failForGood(job, hold, 'Cancelled.', true) : await this.interrupted(job, hold, 'interrupted: the process running it stopped');
    if (!settled) return false;
    const what = job.cancelRequested ? 'cancelled it' : 'running it again';
    this.log.warn({ jobId: job.id, kind: job.kind, interruptions: job.interruptions + 1, holder: job.lockedBy }, `job ${job.id} (${job.kind}): the process holding it stopped; ${what}`);
    // That run's folder: the next run has its own.
    await removeScratch(this.scratchOf(job));
    return true;
  }

  /**
   * Queues a run a shutdown, crash or lost lease stopped, unless that has happened too often.
   * It is not the job's failure: counted apart, under the kind's `maxInterruptions`.
   */
  async interrupted(job: Job, hold: JobHold, reason: string): Promise<boolean> {
    const limit = this.kinds.get(job.kind)?.maxInterruptions ?? defaultMaxInterruptions;
    if (job.interruptions + 1 >= limit) {
      const message = `The job kept being interrupted by server restarts or shutdowns (${job.interruptions + 1} times) and was given up; start it again.`;
      return this.failForGood(job, hold, message, false);
    }
    const now = iso();
    return this.store.settle(job.id, hold, { status: 'queued', runAt: now, error: reason, interrupted: true }, now);
  }

  /** Ends the run `hold` names as failed or cancelled, then runs the kind's `onFailure`; false if it was not that run any more. */
  async failForGood(job: Job, hold: JobHold, message: string, cancelled: boolean): Promise<boolean> {
    const lease = this.lease();
    if (!(await this.store.settle(job.id, hold, { status: cancelled ? 'cancelled' : 'failed', error: message, lease }, iso()))) return false;
    await this.runFailureHandler(job, lease.holder, message, cancelled);
    return true;
  }

  /**
   * Runs the kind's `onFailure` under the caller's lease. It must be safe to run twice: a process
   * may die before the mark is cleared, and another then runs it once that lease has ended.
   */
  private async runFailureHandler(job: Job, holder: string, message: string, cancelled: boolean): Promise<void> {
    try {
      await this.kinds.get(job.kind)?.onFailure(job.payload, message, cancelled);
      await this.store.failureHandled(job.id, holder);
    } catch (error) {
      this.log.error({ jobId: job.id, err: error }, 'job failure handler failed');
    }
  }
}
