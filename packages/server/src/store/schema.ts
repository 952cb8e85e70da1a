/**
 * Row types of the catalog database, as Kysely sees them. Timestamps are ISO 8601 UTC text
 * (sortable as strings); booleans are 0/1 integers, as SQLite stores them.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string | null;
  first_name: string;
  last_name: string;
  is_admin: number;
  is_active: number;
  created_at: string;
  updated_at: string;
}

export interface GroupsTable {
  id: Generated<number>;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface GroupMembersTable {
  group_id: number;
  user_id: number;
  role: 'admin' | 'editor' | 'viewer';
  joined_at: string;
}

export interface TokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  key_hash: string;
  /** The first characters of the secret, so a user can tell tokens apart. */
  key_hint: string;
  /** Space-separated, as on the wire. */
  scope: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface ExportsTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  state: 'processing' | 'complete' | 'error' | 'cancelled' | 'gone';
  created_via: string;
  created_at: string;
  updated_at: string;
}

export interface Database {
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  tokens: TokensTable;
  exports: ExportsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type GroupRow = Selectable<GroupsTable>;
export type GroupMemberRow = Selectable<GroupMembersTable>;
export type TokenRow = Selectable<TokensTable>;
export type ExportRow = Selectable<ExportsTable>;
