import { sql, type Kysely } from 'kysely';

/** Per-item permissions: a principal (group.everyone, group.N, user.N) holds a level on an item. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('permissions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('item_kind', 'text', (c) => c.notNull().check(sql`item_kind in ('layer', 'source', 'set', 'document')`))
    .addColumn('item_id', 'integer', (c) => c.notNull())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('view', 'download', 'edit', 'admin')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('permissions_item_principal', ['item_kind', 'item_id', 'principal'])
    .execute();
  await db.schema.createIndex('permissions_principal').on('permissions').columns(['principal', 'item_kind', 'item_id']).execute();
}
