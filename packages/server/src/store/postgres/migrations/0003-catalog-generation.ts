import { sql, type Kysely } from 'kysely';

/**
 * The catalog's generation: one number, raised in the same transaction as any change to what
 * searches read (catalog rows other than their popularity, and permissions). A search reads it in
 * its snapshot, so an API process knows exactly when the sets of matches it keeps in memory are
 * stale, whichever process made the change; transactions that change the catalog at once wait on
 * this one row, which catalog writes (imports, publishes, edits) can afford.
 */
const statements = [
  `create table catalog_generation (n bigint not null)`,
  `insert into catalog_generation (n) values (0)`,
  `create function mapshelf_next_catalog_generation() returns trigger language plpgsql as $$ begin
    update catalog_generation set n = n + 1;
    return null;
  end $$`,
  `create trigger catalog_items_generation after insert or delete or truncate on catalog_items
    for each statement execute function mapshelf_next_catalog_generation()`,
  // Every column but popularity, which views and downloads count (see catalog-search.ts).
  `create trigger catalog_items_update_generation after update of kind, item_id, view, version_id, version_status, group_id,
    title, description, tags, categories, fields, license_id, license_type, minx, miny, maxx, maxy, created_at, updated_at,
    published_at, text_values, public_level on catalog_items
    for each statement execute function mapshelf_next_catalog_generation()`,
  `create trigger permissions_generation after insert or update or delete or truncate on permissions
    for each statement execute function mapshelf_next_catalog_generation()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
