import { sql, type Kysely } from 'kysely';

/**
 * OAuth2 for the Metadata API: applications (clients) with their workgroups, the access and
 * refresh tokens they were given, and the users' Metadata API accounts: the password for the
 * password grant, the language and the time zone. Secrets and
 * tokens are stored as SHA-256 hashes (they are random, so a fast hash is enough); passwords as
 * scrypt hashes, in a table of their own so that no read of a user ever carries one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('applications')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('uid', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('group', 'user')`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('public', 'confidential')`))
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('can_have_many_groups', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('staff', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('application_groups')
    .addColumn('application_id', 'integer', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('application_groups_pk', ['application_id', 'group_id'])
    .execute();
  await db.schema.createIndex('application_groups_group').on('application_groups').column('group_id').execute();
  await db.schema
    .createTable('oauth_tokens')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('application_id', 'integer', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('access', 'refresh')`))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oauth_tokens_application').on('oauth_tokens').column('application_id').execute();
  await db.schema.createIndex('oauth_tokens_user').on('oauth_tokens').column('user_id').execute();
  await db.schema.createIndex('oauth_tokens_expiry').on('oauth_tokens').column('expires_at').execute();
  await db.schema
    .createTable('user_accounts')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('password_hash', 'text')
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
