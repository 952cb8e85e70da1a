import type { Kysely } from 'kysely';

/** The Metadata API's shares: catalogs of a workgroup opened to applications, other workgroups, or a link. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('shares')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('uid', 'text', (c) => c.notNull().unique())
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('rights', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('url_token', 'text', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('shares_group').on('shares').column('group_id').execute();
  for (const [table, column, target] of [
    ['share_applications', 'application_id', 'applications.id'],
    ['share_catalogs', 'catalog_id', 'record_catalogs.id'],
    ['share_groups', 'group_id', 'groups.id'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('share_id', 'integer', (c) => c.notNull().references('shares.id').onDelete('cascade'))
      .addColumn(column, 'integer', (c) => c.notNull().references(target).onDelete('cascade'))
      .addPrimaryKeyConstraint(`${table}_pk`, ['share_id', column])
      .execute();
    await db.schema.createIndex(`${table}_${column}`).on(table).column(column).execute();
  }
}
