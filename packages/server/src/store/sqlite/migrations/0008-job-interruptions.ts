import type { Kysely } from 'kysely';

/**
 * Interruptions (a shutdown or a crash stopped a job mid-run) are counted apart from failed
 * attempts, so restarts never use up a job's retries; and a job that failed for good remembers
 * whether its kind's failure handler has run, so a crash between the two is finished at the
 * next start.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('interruptions', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('jobs').addColumn('on_failure_due', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
