import { sql, type Kysely } from 'kysely';

/**
 * The generation of what authentication reads: one number, raised in the same transaction as any
 * statement on tokens, users or group memberships (a group's removal deletes its memberships,
 * and so raises it too). Each request reads it first, in one short statement, and an API process
 * uses the actor it found for a token again while it stands: otherwise the token, its user and
 * their groups are three round trips on every request.
 */
const statements = [
  `create table auth_generation (n bigint not null, one boolean primary key default true check (one))`,
  `insert into auth_generation (n) values (0)`,
  `create function mapshelf_next_auth_generation() returns trigger language plpgsql as $$ begin
    update auth_generation set n = n + 1;
    return null;
  end $$`,
  ...['tokens', 'users', 'group_members'].map(
    (table) => `create trigger ${table}_auth_generation after insert or update or delete or truncate on ${table}
      for each statement execute function mapshelf_next_auth_generation()`,
  ),
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
