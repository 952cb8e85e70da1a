import { sql, type Kysely } from 'kysely';

/** The items the Metadata API (and others after it) will address by a public id. */
const tables = ['users', 'groups', 'sources', 'layers', 'sets', 'documents'];

/**
 * A stable public `uid` beside each item's integer id: 32 lowercase hex characters, random.
 * Existing rows get one here, new ones from their repository. SQLite can't add a NOT NULL
 * column without a constant default (which the unique index would refuse from the second
 * row), so the column takes nulls and the repositories never write one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of tables) {
    await db.schema.alterTable(table).addColumn('uid', 'text').execute();
    await sql`update ${sql.table(table)} set uid = lower(hex(randomblob(16)))`.execute(db);
    await db.schema.createIndex(`${table}_uid`).on(table).column('uid').unique().execute();
  }
}
