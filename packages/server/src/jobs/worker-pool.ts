import { availableParallelism } from 'node:os';
import { MapshelfError } from '../domain/errors.js';
import type { Job } from '../domain/ports/job-queue.js';
import { JobAbortedError, PermanentJobError } from './job-kind.js';
import type { JobQueue } from './job-queue.js';
import { freshScratch, removeScratch, sweepScratch } from './job-scratch.js';

const retryDelayMs = (attempt: number) => Math.min(60_000, 1000 * 2 ** attempt);
const iso = () => new Date().toISOString();

interface Running {
  job: Job;
  controller: AbortController;
  /** Why it was aborted, if it was: cancelled, this process stopping, or its lease taken over by another. */
  reason?: 'cancel' | 'shutdown' | 'lost';
  done: Promise<void>;
}

/**
 * Runs due jobs of a queue, a few of each kind at a time (a kind's `concurrency`, else the
 * pool's), each under a lease it renews while the job runs. Every poll it settles what dead
 * processes left (`JobQueue.recover`), stops its jobs whose cancel was asked for elsewhere, and
 * claims jobs enqueued elsewhere. A shutdown or crash is not the job's failure: it is counted
 * apart, under the kind's `maxInterruptions`, and gives back the attempt its run had taken, so
 * `maxAttempts` counts real failures only.
 */
export class WorkerPool {
  private readonly running = new Map<number, Running>();
  private timers: NodeJS.Timeout[] = [];
  /** The claiming loop, the poll and the renewal while they run: one of each at a time, and a stop waits for them (a claim under way would launch a job). */
  private readonly underWay = new Map<'claims' | 'poll' | 'renewal', Promise<void>>();
  /** A wake came while the claiming loop ran: it goes round once more. */
  private again = false;
  private stopped = true;

  constructor(
    private readonly queue: JobQueue,
    private readonly concurrency = Math.max(1, availableParallelism()),
  ) {}

  private get log() {
    return this.queue.log;
  }

  /** Starts taking jobs, after settling what dead processes left and removing their scratch folders. */
  async start(): Promise<void> {
    await sweepScratch(this.queue.dataDir, this.queue.store, iso());
    this.stopped = false;
    const every = (seconds: number, tick: () => Promise<void>) => this.timers.push(setInterval(() => void tick(), seconds * 1000).unref());
    every(this.queue.timing.pollSeconds, () => this.poll());
    every(this.queue.timing.renewalSeconds, () => this.renew());
    await this.poll();
  }

  /** Runs `task` as `name`, or returns the run of it under way. */
  private single(name: 'claims' | 'poll' | 'renewal', task: () => Promise<void>): Promise<void> {
    let run = this.underWay.get(name);
    if (!run) {
      run = task().finally(() => this.underWay.delete(name));
      this.underWay.set(name, run);
    }
    return run;
  }

  /** Looks for due jobs now (call after enqueueing). */
  wake(): void {
    if (this.stopped) return;
    if (this.underWay.has('claims')) {
      this.again = true;
      return;
    }
    void this.single('claims', () => this.claimDue());
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    await this.single('poll', async () => {
      try {
        await this.queue.recover();
        await this.checkHeld();
      } catch (error) {
        this.log.error({ err: error }, 'job queue poll failed');
      }
    });
    this.wake();
  }

  /** Stops this pool's jobs that were cancelled elsewhere, or that another process has taken over. */
  private async checkHeld(): Promise<void> {
    const ids = [...this.running.keys()];
    const held = new Map((await this.queue.store.held(ids, this.queue.holder)).map((job) => [job.id, job.cancelRequested]));
    for (const id of ids) {
      const cancelRequested = held.get(id);
      if (cancelRequested === undefined) this.abortRun(id, 'lost');
      else if (cancelRequested) this.abortRun(id, 'cancel');
    }
  }

  private async renew(): Promise<void> {
    const ids = [...this.running.keys()];
    if (this.stopped || ids.length === 0) return;
    await this.single('renewal', async () => {
      try {
        const kept = new Set(await this.queue.store.renew(ids, this.queue.lease()));
        for (const id of ids) if (!kept.has(id)) this.abortRun(id, 'lost');
      } catch (error) {
        // The next renewal tries again, well within the lease.
        this.log.error({ err: error }, 'job lease renewal failed');
      }
    });
  }

  private async claimDue(): Promise<void> {
    try {
      do {
        this.again = false;
        while (!this.stopped) {
          const job = await this.queue.store.claim(this.queue.lease(), iso(), this.busyKinds());
          if (!job) break;
          this.launch(job);
        }
      } while (this.again && !this.stopped);
    } catch (error) {
      this.log.error({ err: error }, 'job queue poll failed');
    }
  }

  /** Kinds running as many jobs as they may. */
  private busyKinds(): string[] {
    const counts = new Map<string, number>();
    for (const { job } of this.running.values()) counts.set(job.kind, (counts.get(job.kind) ?? 0) + 1);
    return [...counts].filter(([kind, n]) => n >= (this.queue.kind(kind)?.concurrency ?? this.concurrency)).map(([kind]) => kind);
  }

  private launch(job: Job): void {
    const entry: Running = { job, controller: new AbortController(), done: Promise.resolve() };
    entry.done = this.execute(entry)
      .catch((error: unknown) => this.log.error({ jobId: job.id, err: error }, 'job could not be settled'))
      .finally(() => {
        this.running.delete(job.id);
        this.wake();
      });
    this.running.set(job.id, entry);
  }

  private async execute(entry: Running): Promise<void> {
    const { job, controller } = entry;
    const { queue } = this;
    const hold = { holder: queue.holder };
    const kind = queue.kind(job.kind);
    if (!kind) {
      await queue.failForGood(job, hold, `No handler for job kind "${job.kind}".`, false);
      return;
    }
    const about = { jobId: job.id, kind: job.kind, attempt: job.attempts };
    const name = `job ${job.id} (${job.kind})`;
    try {
      const scratch = await freshScratch(queue.scratchOf(job));
      this.log.info(about, `${name} started`);
      await kind.perform(job.payload, { jobId: job.id, attempt: job.attempts, signal: controller.signal, scratch });
      if (await queue.store.settle(job.id, hold, { status: 'done' }, iso())) this.log.info(about, `${name} done`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (entry.reason === 'lost') {
        this.log.warn(about, `${name} stopped: another process took it over after its lease ended`);
      } else if (entry.reason === 'shutdown') {
        // Not the job's fault: it runs again, here after a restart or in another process.
        await queue.interrupted(job, hold, 'interrupted by shutdown');
      } else if (entry.reason === 'cancel' || error instanceof JobAbortedError) {
        await queue.failForGood(job, hold, 'Cancelled.', true);
      } else if (error instanceof PermanentJobError || error instanceof MapshelfError || job.attempts >= job.maxAttempts) {
        this.log.info({ ...about, err: error }, `${name} failed`);
        await queue.failForGood(job, hold, message, false);
      } else {
        this.log.warn({ ...about, err: error }, `${name} failed; retrying`);
        await queue.store.settle(job.id, hold, { status: 'queued', runAt: new Date(Date.now() + retryDelayMs(job.attempts)).toISOString(), error: message, interrupted: false }, iso());
      }
    } finally {
      await removeScratch(queue.scratchOf(job));
    }
  }

  private abortRun(jobId: number, reason: NonNullable<Running['reason']>): void {
    const entry = this.running.get(jobId);
    // A cancel outranks a shutdown, which would queue the job again; nothing outranks a lost lease.
    if (!entry || entry.reason === 'lost' || entry.reason === reason || (entry.reason === 'cancel' && reason === 'shutdown')) return;
    entry.reason = reason;
    entry.controller.abort();
  }

  /** Whether this pool is running the job. */
  runs(jobId: number): boolean {
    return this.running.has(jobId);
  }

  /** Aborts a job if this pool runs it, as a cancel, and waits until its run has settled. */
  async abort(jobId: number): Promise<void> {
    const entry = this.running.get(jobId);
    if (!entry) return;
    this.abortRun(jobId, 'cancel');
    await entry.done;
  }

  /** Stops taking jobs; running ones are aborted and queued again, for another process or the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await Promise.all(this.underWay.values());
    for (const id of this.running.keys()) this.abortRun(id, 'shutdown');
    await Promise.all([...this.running.values()].map((r) => r.done));
  }
}
