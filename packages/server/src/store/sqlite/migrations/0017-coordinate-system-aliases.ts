import type { Kysely } from 'kysely';

/** A workgroup's own names for EPSG coordinate systems (the Metadata API's aliases). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('coordinate_system_aliases')
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('code', 'integer', (c) => c.notNull())
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('coordinate_system_aliases_pk', ['group_id', 'code'])
    .execute();
}
