import { sql, type Kysely } from 'kysely';

/** A workgroup's own names for EPSG coordinate systems, as SQLite's 0017. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table coordinate_system_aliases (
    group_id integer not null references groups (id) on delete cascade,
    code integer not null,
    alias text not null,
    updated_at timestamptz not null,
    primary key (group_id, code))`.execute(db);
}
