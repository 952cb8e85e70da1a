import type { Kysely } from 'kysely';

/** The Metadata API's contacts: each belongs to a workgroup (a group), which its records name in roles. */
export async function up(db: Kysely<unknown>): Promise<void> {
  let table = db.schema
    .createTable('contacts')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('uid', 'text', (c) => c.notNull().unique())
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id').onDelete('cascade'));
  for (const column of ['name', 'organization', 'email', 'phone', 'fax', 'address_line1', 'address_line2', 'address_line3', 'city', 'zip_code', 'country_code']) {
    table = table.addColumn(column, 'text');
  }
  await table.addColumn('created_at', 'text', (c) => c.notNull()).addColumn('updated_at', 'text', (c) => c.notNull()).execute();
  await db.schema.createIndex('contacts_group').on('contacts').column('group_id').execute();
}
