import { sql, type Kysely } from 'kysely';

/**
 * The catalog's generation (0003) rises only when a statement changed rows that searches read.
 * Statement triggers fire for statements that touch nothing too: the removal of a view an item
 * never had (every import of an unpublished layer), or clearing the grants of an item without
 * any. Each such bump emptied every process's sets of matches. These triggers look at the rows
 * the statement changed (its transition tables) first. Popularity stays out: an update that
 * changed only it leaves the generation. TRUNCATE has no transition tables, and keeps 0003's.
 * An updated permission (its level) always counts. The generation's table also gets a key that
 * holds it to its one row.
 */
const searched = [
  'kind', 'item_id', 'view', 'version_id', 'version_status', 'group_id', 'title', 'description', 'tags', 'categories', 'fields',
  'license_id', 'license_type', 'minx', 'miny', 'maxx', 'maxy', 'created_at', 'updated_at', 'published_at', 'text_values', 'public_level',
];
const row = (alias: string) => `(${searched.map((c) => `${alias}.${c}`).join(', ')})`;

/** The triggers raising the generation after a statement on `table`; `onUpdate` decides for updates. */
const generationTriggers = (table: string, onUpdate: string) => [
  `create trigger ${table}_insert_generation after insert on ${table} referencing new table as inserted
    for each statement execute function mapshelf_generation_if_inserted()`,
  `create trigger ${table}_delete_generation after delete on ${table} referencing old table as deleted
    for each statement execute function mapshelf_generation_if_deleted()`,
  `create trigger ${table}_update_generation after update on ${table} referencing old table as deleted new table as inserted
    for each statement execute function ${onUpdate}()`,
  `create trigger ${table}_truncate_generation after truncate on ${table}
    for each statement execute function mapshelf_next_catalog_generation()`,
];

const statements = [
  `alter table catalog_generation add column one boolean primary key default true check (one)`,
  `drop trigger catalog_items_generation on catalog_items`,
  `drop trigger catalog_items_update_generation on catalog_items`,
  `drop trigger permissions_generation on permissions`,
  `create function mapshelf_generation_if_inserted() returns trigger language plpgsql as $$ begin
    if exists (select 1 from inserted) then update catalog_generation set n = n + 1; end if;
    return null;
  end $$`,
  `create function mapshelf_generation_if_deleted() returns trigger language plpgsql as $$ begin
    if exists (select 1 from deleted) then update catalog_generation set n = n + 1; end if;
    return null;
  end $$`,
  `create function mapshelf_generation_if_catalog_updated() returns trigger language plpgsql as $$ begin
    if exists (select 1 from inserted as a join deleted as b on b.id = a.id where ${row('a')} is distinct from ${row('b')})
      then update catalog_generation set n = n + 1; end if;
    return null;
  end $$`,
  ...generationTriggers('catalog_items', 'mapshelf_generation_if_catalog_updated'),
  ...generationTriggers('permissions', 'mapshelf_generation_if_inserted'),
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
