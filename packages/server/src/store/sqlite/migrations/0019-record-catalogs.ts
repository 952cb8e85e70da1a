import type { Kysely } from 'kysely';

/** The Metadata API's catalogs: named selections of a workgroup's records. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('record_catalogs')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('uid', 'text', (c) => c.notNull().unique())
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scan', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('record_catalogs_group_code', ['group_id', 'code'])
    .execute();
  await db.schema
    .createTable('record_catalog_members')
    .addColumn('catalog_id', 'integer', (c) => c.notNull().references('record_catalogs.id').onDelete('cascade'))
    .addColumn('record_id', 'integer', (c) => c.notNull().references('records.id').onDelete('cascade'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('record_catalog_members_pk', ['catalog_id', 'record_id'])
    .execute();
  await db.schema.createIndex('record_catalog_members_record').on('record_catalog_members').column('record_id').execute();
}
