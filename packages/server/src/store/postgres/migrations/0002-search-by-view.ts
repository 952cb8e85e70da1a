import { sql, type Kysely } from 'kysely';

/**
 * The text index split by view: every search reads one view (or, for editors, each view under
 * its own rule), so a partial index per view hands back only that view's matches, where the
 * whole index handed back both and the view was then tested row by row, or met by a second
 * index over every row of the view.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index catalog_items_search_published on catalog_items using gin (search) where view = 'published'`.execute(db);
  await sql`create index catalog_items_search_latest on catalog_items using gin (search) where view = 'latest'`.execute(db);
  await sql`drop index catalog_items_search`.execute(db);
}
