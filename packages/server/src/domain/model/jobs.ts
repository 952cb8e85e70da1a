/** A job to queue, with its payload as the job kind reads it. */
export interface NewJob {
  kind: string;
  payload: unknown;
  runAt: string;
  maxAttempts: number;
}
