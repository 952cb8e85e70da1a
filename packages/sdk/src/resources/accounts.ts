import type { Client } from '../client.js';
import { path } from '../core/path.js';
import { Query } from '../core/query.js';

/** A user as the server sends it. */
export interface User {
  id: number;
  url: string;
  username: string;
  email?: string | null;
  first_name?: string;
  last_name?: string;
  is_admin?: boolean;
  groups?: Array<{ id: number; url: string; name: string; role: string }>;
  [key: string]: unknown;
}

/** A group as the server sends it. */
export interface Group {
  id: number;
  url: string;
  name: string;
  [key: string]: unknown;
}

/** A user's membership of a group, with their role. */
export interface GroupMember {
  url: string;
  role: 'admin' | 'editor' | 'viewer';
  user: { id: number; url: string; username?: string };
  [key: string]: unknown;
}

/** An API token as the server sends it. */
export interface Token {
  id: number;
  url: string;
  name: string;
  scope: string;
  expires_at: string | null;
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
