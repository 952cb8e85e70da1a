/**
 * The job queue, as the domain and the worker pool see it. Jobs live in the store's database, so
 * a job enqueued inside a store transaction commits, or not, with the rows it works on. Any
 * number of processes may run workers on one database: a worker holds each job it claims under
 * a lease (`lockedUntil`) that it renews while the job runs, and a job whose lease has ended
 * (its process died or stalled), or whose holder is known to be dead, is taken over by
 * whichever process finds it first.
 *
 * Times are ISO 8601 strings (UTC), compared as given.
 */

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** A job, decoded. */
export interface Job {
  id: number;
  kind: string;
  payload: unknown;
  status: JobStatus;
  /** Failed runs, plus the current one while it runs; an interrupted run is given back. */
  attempts: number;
  maxAttempts: number;
  /** Runs stopped by a shutdown, a crash or an expired lease: not the job's failures, and limited apart. */
  interruptions: number;
  runAt: string;
  /**
   * Who holds the job's lease: the worker running it, or the process running a failed job's
   * `onFailure`. Null once nobody needs to (and on rows from before leases).
   */
  lockedBy: string | null;
  /** When the lease ends unless renewed; a lease that has ended is anybody's to take over. */
  lockedUntil: string | null;
  /** A cancel was asked for while the job ran; its worker stops it at its next look. */
  cancelRequested: boolean;
  /** A failed or cancelled job whose kind's `onFailure` has yet to run. */
  onFailureDue: boolean;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewJob {
  kind: string;
  payload: unknown;
  runAt: string;
  maxAttempts: number;
}

/** A lease on a job: its holder, and when it ends unless renewed. */
export interface Lease {
  holder: string;
  until: string;
}

/**
 * Which run of a job (or which pending `onFailure`) an update is for. `{ holder }`: the one that
 * holder still holds. `{ holder, until }`: the one as it was read, held by `holder` (null: by
 * nobody) under a lease ending at `until`, being taken over. An update whose run is no longer
 * so (renewed, settled, or taken by another process meanwhile) changes nothing.
 */
export interface JobHold {
  holder: string | null;
  until?: string | null;
}

/**
 * How a run ends: done; failed or cancelled for good (the job then owes its kind's `onFailure`,
 * run under `lease`); or queued again at `runAt`, after a failure or, with `interrupted`, after
 * a shutdown or crash (one more interruption, and the run's attempt given back).
 */
export type JobOutcome =
  | { status: 'done' }
  | { status: 'failed' | 'cancelled'; error: string; lease: Lease }
  | { status: 'queued'; runAt: string; error: string | null; interrupted: boolean };

/** What a store transaction carries of the queue: a job enqueued there commits with the rest. */
export interface JobEnqueuer {
  enqueue(job: NewJob, at: string): Promise<number>;
}

/** The queue's storage, which the worker pool and cancels use; each store implements it on its own database. */
export interface JobStore extends JobEnqueuer {
  findById(id: number): Promise<Job | undefined>;
  /**
   * Marks the next due queued job (of a kind not in `skipKinds`) running under `lease`, counts
   * the attempt, and returns it. Each job goes to one caller, whatever the number of processes.
   */
  claim(lease: Lease, now: string, skipKinds: readonly string[]): Promise<Job | undefined>;
  /** Extends to `lease.until` the leases `lease.holder` holds on these running jobs; returns the ids it still holds. */
  renew(ids: readonly number[], lease: Lease): Promise<number[]>;
  /** Of these jobs, those `holder` still holds as running, each with whether a cancel was asked for. */
  held(ids: readonly number[], holder: string): Promise<Array<{ id: number; cancelRequested: boolean }>>;
  /** Running jobs, and failed or cancelled ones whose `onFailure` has not run: what a process may find abandoned. */
  unsettled(): Promise<Job[]>;
  /** Ends the run `hold` names; false if it is not that run any more. */
  settle(id: number, hold: JobHold, outcome: JobOutcome, at: string): Promise<boolean>;
  /** Cancels a job that has not started; it then owes its `onFailure`, run under `lease`. False if it is not queued. */
  cancelQueued(id: number, lease: Lease, at: string): Promise<boolean>;
  /** Asks the worker running a job to cancel it; false if it is not running. */
  requestCancel(id: number, at: string): Promise<boolean>;
  /** Takes a failed job's pending `onFailure`, held as `seen`, under `lease`; false if it is not so any more. */
  takeFailure(id: number, seen: JobHold, lease: Lease): Promise<boolean>;
  /** The `onFailure` that `holder` ran for this job is done. */
  failureHandled(id: number, holder: string): Promise<void>;
}

/** How use cases reach the queue outside a transaction. */
export interface JobControl {
  /** Jobs were committed: workers look now rather than at their next poll. */
  wake(): void;
  /**
   * Cancels a job wherever it runs, and returns once it has stopped and its `onFailure` has run:
   * a queued one never runs; a running one is aborted, at once in this process, at its worker's
   * next poll in another (or, if that worker died, when its lease ends).
   */
  cancel(jobId: number): Promise<void>;
}
