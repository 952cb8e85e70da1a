/** What a job sees while it runs. */
export interface JobContext {
  jobId: number;
  /** 1 on the first run, 2 on the first retry after a failure, ...; a run after an interruption keeps its number. */
  attempt: number;
  /** Aborted when the job is cancelled, the process shuts down, or another process took the job over. */
  signal: AbortSignal;
  /** An empty folder of this run's own, removed when the run ends (absolute path). */
  scratch: string;
}

/**
 * One kind of background job: a name, how to run it, and how to leave things when it fails for
 * good. `perform` must be safe to re-run from the start: a job interrupted by a crash runs again.
 */
export interface JobKind<Payload = any> {
  name: string;
  maxAttempts: number;
  /**
   * How many times a shutdown or crash may stop the job mid-run before it is given up. They
   * are not its failures, so they don't use up `maxAttempts`; the limit stops a job that
   * itself brings the server down from doing so for ever.
   * @default defaultMaxInterruptions
   */
  maxInterruptions?: number;
  /** How many of this kind run at once; the pool's default if unset. */
  concurrency?: number;
  /** How its scratch folder's name begins, to tell it among others (`export-12`); the kind's name if unset. */
  scratchLabel?(payload: Payload): string;
  perform(payload: Payload, job: JobContext): Promise<void>;
  /** Runs once, when the job is cancelled or has failed its last attempt. */
  onFailure(payload: Payload, message: string, cancelled: boolean): Promise<void>;
}

/** How many interruptions (restarts, shutdowns) a job survives, unless its kind says otherwise. */
export const defaultMaxInterruptions = 10;

/** A failure that retrying can't fix (bad data, a missing file): the job fails at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** Thrown by a job that noticed its signal was aborted. */
export class JobAbortedError extends Error {
  override name = 'JobAbortedError';
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new JobAbortedError('aborted');
}
