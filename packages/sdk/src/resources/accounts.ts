import type { Client } from '../client.js';
import { path } from '../core/path.js';
import { Query } from '../core/query.js';
import type { Ref, Timestamp } from './wire.js';

/** A user as the server sends it. */
export interface User {
  /** Identifies the user in API paths and references. */
  id: number;
  /** Where the API serves this user. */
  url: string;
  /** The name they are known by on the site. */
  username: string;
  /** Their e-mail address; null if none was given. */
  email?: string | null;
  /** Given name; may be empty. */
  first_name?: string;
  /** Family name; may be empty. */
  last_name?: string;
  /** Whether they are a site admin. */
  is_admin?: boolean;
  /** False once the user has been deleted (deactivated). */
  is_active?: boolean;
  /** When the user was created. */
  date_joined?: Timestamp;
  /** When the user last changed. */
  updated_at?: Timestamp;
  /** The groups they belong to, with their role in each. */
  groups?: Array<Ref & { name: string; role: GroupMember['role'] }>;
  [key: string]: unknown;
}

/** A group as the server sends it. */
export interface Group {
  /** Identifies the group in API paths and references. */
  id: number;
  /** Where the API serves this group. */
  url: string;
  /** The name shown for the group. */
  name: string;
  /** Plain-text description. */
  description?: string;
  /** When the group was created. */
  created_at?: Timestamp;
  /** When the group last changed. */
  updated_at?: Timestamp;
  /** How many users belong to it. */
  member_count?: number;
  /** URL of its members. */
  members?: string;
  [key: string]: unknown;
}

/** A user's membership of a group, with their role. */
export interface GroupMember {
  /** Where the API serves this membership. */
  url: string;
  /** The member's role, which gives them admin, edit or view on the group's items. */
  role: 'admin' | 'editor' | 'viewer';
  /** The member. */
  user: Ref & { username: string; first_name: string; last_name: string };
  /** When they joined the group. */
  joined_at: Timestamp;
  [key: string]: unknown;
}

/** An API token as the server sends it. */
export interface Token {
  /** The token's id (not its secret). */
  id: number;
  /** Where the API serves this token. */
  url: string;
  /** A name to tell it apart by. */
  name: string;
  /** The first characters of the secret, to recognise it by. */
  key_hint: string;
  /** What it allows, space-separated: `layers:read exports:write ...`. Not in list summaries; `get()` or `expand()` fetches it. */
  scope?: string;
  /** When the token was created. */
  created_at?: Timestamp;
  /** When it stops working; null for never. Not in list summaries; `get()` or `expand()` fetches it. */
  expires_at?: Timestamp | null;
  /** When it was last used; null if never. */
  last_used_at?: Timestamp | null;
  /** Whose token it is. */
  user?: Ref;
  /** The secret: only in the answer to `create`. */
  key?: string;
  [key: string]: unknown;
}

/** `client.users`. */
export class UsersManager {
  constructor(private readonly client: Client) {}

  /** Every user you may see, as a lazy query. */
  list(): Query<User> {
    return new Query(this.client, 'users/', (raw: User) => raw);
  }

  /** One user, by id. */
  get(id: number): Promise<User> {
    return this.client.json('GET', path`users/${id}/`);
  }

  /** The token's own user, with their groups. */
  me(): Promise<User> {
    return this.client.json('GET', 'users/me/');
  }

  /** Site admins create users. */
  create(fields: { username: string; email?: string; first_name?: string; last_name?: string; is_admin?: boolean }): Promise<User> {
    return this.client.json('POST', 'users/', { body: fields });
  }

  /** Deactivates a user and revokes their tokens. */
  async delete(id: number): Promise<void> {
    await this.client.request('DELETE', path`users/${id}/`);
  }
}

/** `client.groups`, and their members with roles. */
export class GroupsManager {
  constructor(private readonly client: Client) {}

  /** Every group you may see, as a lazy query. */
  list(): Query<Group> {
    return new Query(this.client, 'groups/', (raw: Group) => raw);
  }

  /** One group, by id. */
  get(id: number): Promise<Group> {
    return this.client.json('GET', path`groups/${id}/`);
  }

  /** Creates a group. */
  create(fields: { name: string; [key: string]: unknown }): Promise<Group> {
    return this.client.json('POST', 'groups/', { body: fields });
  }

  /** Changes a group's fields. */
  update(id: number, fields: { name?: string; [key: string]: unknown }): Promise<Group> {
    return this.client.json('PATCH', path`groups/${id}/`, { body: fields });
  }

  /** Deletes a group. */
  async delete(id: number): Promise<void> {
    await this.client.request('DELETE', path`groups/${id}/`);
  }

  /** A group's members and their roles. */
  listMembers(id: number): Query<GroupMember> {
    return new Query(this.client, path`groups/${id}/members/`, (raw: GroupMember) => raw);
  }

  /** Adds a user to the group, or changes their role. */
  addMember(id: number, user: number, role: GroupMember['role']): Promise<GroupMember> {
    return this.client.json('POST', path`groups/${id}/members/`, { body: { user, role } });
  }

  /** Takes a user out of a group. */
  async removeMember(id: number, user: number): Promise<void> {
    await this.client.request('DELETE', path`groups/${id}/members/${user}/`);
  }
}

/** `client.tokens`: API tokens, yours (or everyone's, for site admins). */
export class TokensManager {
  constructor(private readonly client: Client) {}

  /** Every token you may see, as a lazy query. */
  list(): Query<Token> {
    return new Query(this.client, 'tokens/', (raw: Token) => raw);
  }

  /** One token, by id. */
  get(id: number): Promise<Token> {
    return this.client.json('GET', path`tokens/${id}/`);
  }

  /** A new token; its secret is in `key`, shown this once. `scope` is space-separated. */
  create(fields: { name: string; scope: string; expires_at?: string | null; user?: number }): Promise<Token> {
    return this.client.json('POST', 'tokens/', { body: fields });
  }

  /** Revokes a token: it stops working at once. */
  async revoke(id: number): Promise<void> {
    await this.client.request('DELETE', path`tokens/${id}/`);
  }
}
