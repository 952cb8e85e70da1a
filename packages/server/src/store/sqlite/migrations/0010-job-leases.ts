import { sql, type Kysely, type SqlBool } from 'kysely';

/**
 * Leases, so several processes can share the jobs table: a claimed job names its holder and
 * when its lease ends, renewed while it runs; a job whose lease has ended is taken over. Jobs
 * left running by an older server have no lease, which counts as ended. A cancel asked for in
 * one process reaches the worker running the job in another through `cancel_requested`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('locked_by', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('locked_until', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // Every poll reads the running jobs (jobs_ready leads with status) and the failures whose handler is owed.
  await db.schema.createIndex('jobs_failures_due').on('jobs').column('id').where(sql<SqlBool>`on_failure_due`).execute();
}
