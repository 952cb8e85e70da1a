import type { Kysely } from 'kysely';

/** The Metadata API's specifications: each belongs to a workgroup (a group); records will state their conformity to them. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('specifications')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('uid', 'text', (c) => c.notNull().unique())
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('published', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('specifications_group').on('specifications').column('group_id').execute();
}
