import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool, type UpdateObject } from 'kysely';
import type { Job, JobHold, JobOutcome, JobStore, Lease, NewJob } from '../../domain/ports/job-queue.js';
import type { Database, JobRow } from '../schema.js';
import { fromBool, fromJson } from './columns.js';
import type { SqlDialect } from './sql-dialect.js';

const toJob = (row: JobRow): Job => ({
  id: row.id,
  kind: row.kind,
  payload: fromJson<unknown>(row.payload),
  status: row.status,
  attempts: row.attempts,
  maxAttempts: row.max_attempts,
  interruptions: row.interruptions,
  runAt: row.run_at,
  lockedBy: row.locked_by,
  lockedUntil: row.locked_until,
  cancelRequested: fromBool(row.cancel_requested),
  onFailureDue: fromBool(row.on_failure_due),
  error: row.error,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

type JobsExpression = ExpressionBuilder<Database, 'jobs'>;

/** The job's lease is still the one `hold` names. */
const leaseOf = (eb: JobsExpression, hold: JobHold): Expression<SqlBool> =>
  eb.and([
    hold.holder === null ? eb('locked_by', 'is', null) : eb('locked_by', '=', hold.holder),
    ...(hold.until === undefined ? [] : [hold.until === null ? eb('locked_until', 'is', null) : eb('locked_until', '=', hold.until)]),
  ]);

/** The running job is still the run `hold` names. */
const runOf = (eb: JobsExpression, hold: JobHold): Expression<SqlBool> => eb.and([eb('status', '=', 'running'), leaseOf(eb, hold)]);

function outcomeColumns(outcome: JobOutcome): UpdateObject<Database, 'jobs'> {
  const unlocked = { locked_at: null, locked_by: null, locked_until: null, cancel_requested: 0 };
  switch (outcome.status) {
    case 'done':
      return { ...unlocked, status: 'done', error: null, on_failure_due: 0 };
    case 'failed':
    case 'cancelled':
      return { status: outcome.status, error: outcome.error, on_failure_due: 1, locked_by: outcome.lease.holder, locked_until: outcome.lease.until };
    case 'queued':
      return {
        ...unlocked,
        status: 'queued',
        run_at: outcome.runAt,
        error: outcome.error,
        // An interruption is not a failure: the attempt its claim counted is given back.
        ...(outcome.interrupted && { attempts: sql<number>`case when attempts > 0 then attempts - 1 else 0 end`, interruptions: sql<number>`interruptions + 1` }),
      };
  }
}

/** The durable job table, in engine-neutral Kysely but for the dialect's claim lock: `claim` hands each job to one worker. */
export class JobsRepository implements JobStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async enqueue(job: NewJob, at: string): Promise<number> {
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

  async findById(id: number): Promise<Job | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toJob(row);
  }

  async claim(lease: Lease, now: string, skipKinds: readonly string[]): Promise<Job | undefined> {
    const row = await this.db
      .updateTable('jobs')
      .set({ status: 'running', locked_at: now, locked_by: lease.holder, locked_until: lease.until, cancel_requested: 0, updated_at: now, attempts: sql`attempts + 1` })
      .where('id', '=', () =>
        this.dialect.lockForClaim(
          this.db
            .selectFrom('jobs')
            .select('id')
            .where('status', '=', 'queued')
            .where('run_at', '<=', now)
            .$if(skipKinds.length > 0, (q) => q.where('kind', 'not in', skipKinds))
            .orderBy('run_at')
            .orderBy('id')
            .limit(1),
        ),
      )
      // Checked again on the row itself, for engines that read the subquery before taking its lock.
      .where('status', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
    return row && toJob(row);
  }

  async renew(ids: readonly number[], lease: Lease): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .updateTable('jobs')
      .set({ locked_until: lease.until })
      .where('id', 'in', ids)
      .where((eb) => runOf(eb, { holder: lease.holder }))
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  async held(ids: readonly number[], holder: string): Promise<Array<{ id: number; cancelRequested: boolean }>> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('jobs')
      .select(['id', 'cancel_requested'])
      .where('id', 'in', ids)
      .where((eb) => runOf(eb, { holder }))
      .execute();
    return rows.map((row) => ({ id: row.id, cancelRequested: fromBool(row.cancel_requested) }));
  }

  async unsettled(): Promise<Job[]> {
    // Two queries, each answered by an index (jobs_ready, jobs_failures_due), rather than one OR.
    const running = await this.db.selectFrom('jobs').selectAll().where('status', '=', 'running').execute();
    // The partial index's own condition, word for word (a bound value would not match it); a bare
    // column is a condition on both engines (0/1 on SQLite, boolean on PostgreSQL).
    const failures = await this.db.selectFrom('jobs').selectAll().where(sql<SqlBool>`on_failure_due`).execute();
    return [...running, ...failures].map(toJob);
  }

  async settle(id: number, hold: JobHold, outcome: JobOutcome, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ ...outcomeColumns(outcome), updated_at: at })
      .where('id', '=', id)
      .where((eb) => runOf(eb, hold))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async cancelQueued(id: number, lease: Lease, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ status: 'cancelled', error: 'Cancelled.', on_failure_due: 1, locked_by: lease.holder, locked_until: lease.until, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async requestCancel(id: number, at: string): Promise<boolean> {
    const result = await this.db.updateTable('jobs').set({ cancel_requested: 1, updated_at: at }).where('id', '=', id).where('status', '=', 'running').executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async takeFailure(id: number, seen: JobHold, lease: Lease): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ locked_by: lease.holder, locked_until: lease.until })
      .where('id', '=', id)
      .where('on_failure_due', '=', 1)
      .where((eb) => leaseOf(eb, seen))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async failureHandled(id: number, holder: string): Promise<void> {
    await this.db.updateTable('jobs').set({ on_failure_due: 0, locked_by: null, locked_until: null }).where('id', '=', id).where('locked_by', '=', holder).execute();
  }
}
