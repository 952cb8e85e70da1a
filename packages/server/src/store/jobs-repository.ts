import { sql, type Kysely } from 'kysely';
import type { Database, JobRow } from './schema.js';

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

  async finish(id: number, status: 'done' | 'failed' | 'cancelled', error: string | null, at: string): Promise<void> {
    await this.db.updateTable('jobs').set({ status, error, locked_at: null, updated_at: at }).where('id', '=', id).execute();
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
      .set({ status: 'cancelled', updated_at: at })
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
