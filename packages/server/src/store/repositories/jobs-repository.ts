import { sql, type Kysely } from 'kysely';
import type { Database, JobRow } from '../schema.js';

export interface NewJob {
  kind: string;
  payload: unknown;
  runAt: string;
  maxAttempts: number;
}

/** The durable job table: rows survive restarts; `claim` hands each job to one worker. */
export class JobsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(job: NewJob, at: string): Promise<number> {
    const row = await this.db
      .insertInto('jobs')
      .values({
        kind: job.kind,
        payload: JSON.stringify(job.payload),
        status: 'queued',
        attempts: 0,
        max_attempts: job.maxAttempts,
        run_at: job.runAt,
        locked_at: null,
        error: null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Atomically marks the next due job, of a kind not in `skipKinds`, as running and returns it. */
  async claim(now: string, skipKinds: readonly string[] = []): Promise<JobRow | undefined> {
    return this.db
      .updateTable('jobs')
      .set({ status: 'running', locked_at: now, updated_at: now, attempts: sql`attempts + 1` })
      .where('id', '=', (eb) =>
        eb
          .selectFrom('jobs')
          .select('id')
          .where('status', '=', 'queued')
          .where('run_at', '<=', now)
          .$if(skipKinds.length > 0, (q) => q.where('kind', 'not in', skipKinds))
          .orderBy('run_at')
          .orderBy('id')
          .limit(1),
      )
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * Ends a job. A failed or cancelled one is marked as still owing its kind's `onFailure`
   * (`failureHandled` clears the mark), so a crash in between is made good at the next start.
   */
  async finish(id: number, status: 'done' | 'failed' | 'cancelled', error: string | null, at: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ status, error, locked_at: null, updated_at: at, on_failure_due: status === 'done' ? 0 : 1 })
      .where('id', '=', id)
      .execute();
  }

  /** The kind's `onFailure` has run for this failed or cancelled job. */
  async failureHandled(id: number): Promise<void> {
    await this.db.updateTable('jobs').set({ on_failure_due: 0 }).where('id', '=', id).execute();
  }

  /** Failed or cancelled jobs whose `onFailure` did not run (the process died in between). */
  async listFailuresDue(): Promise<JobRow[]> {
    return this.db.selectFrom('jobs').selectAll().where('status', 'in', ['failed', 'cancelled']).where('on_failure_due', '=', 1).execute();
  }

  /**
   * Puts a running job that a shutdown or crash stopped back in the queue: one more
   * interruption, and the attempt its claim counted is given back, since the run did not fail.
   */
  async interrupt(id: number, runAt: string, reason: string, at: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({
        status: 'queued',
        run_at: runAt,
        error: reason,
        locked_at: null,
        updated_at: at,
        attempts: sql`max(attempts - 1, 0)`,
        interruptions: sql`interruptions + 1`,
      })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .execute();
  }

  /** Puts a job back in the queue, to run again at `runAt`. */
  async requeue(id: number, runAt: string, error: string | null, at: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ status: 'queued', run_at: runAt, error, locked_at: null, updated_at: at })
      .where('id', '=', id)
      .execute();
  }

  /** Jobs a previous process left running (it crashed or was killed). */
  async listRunning(): Promise<JobRow[]> {
    return this.db.selectFrom('jobs').selectAll().where('status', '=', 'running').execute();
  }

  async findById(id: number): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Cancels a job that has not started; returns false if it is running or finished. */
  async cancelQueued(id: number, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ status: 'cancelled', updated_at: at, on_failure_due: 1 })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The earliest time a queued job is due, to sleep until then. */
  async nextRunAt(): Promise<string | null> {
    const row = await this.db
      .selectFrom('jobs')
      .select('run_at')
      .where('status', '=', 'queued')
      .orderBy('run_at')
      .limit(1)
      .executeTakeFirst();
    return row?.run_at ?? null;
  }
}
