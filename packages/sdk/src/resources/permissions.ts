import type { Client } from '../client.js';
import { path } from '../core/path.js';
import type { Ref } from './wire.js';

/** Permission levels, each including the ones before it. */
export type PermissionLevel = 'view' | 'download' | 'edit' | 'admin';

/** One permission on an item, for a group, a user or everyone. */
export interface Permission {
  /** `group.everyone`, `group.{id}` or `user.{id}`. */
  id: string;
  /** Where the API serves this permission. */
  url: string;
  /** What the group or user may do with the item. */
  permission: PermissionLevel;
  /** The group granted, for a group's permission: a reference, or `{id: 'everyone', name: 'Everyone'}`. */
  group?: { id: number | 'everyone'; url?: string; name?: string };
  /** The user granted, for a user's permission. */
  user?: Ref;
  [key: string]: unknown;
}

/** Who is granted: `{id: 'group.everyone'}`, or a group or user by id or URL. */
export type PermissionGrant = { permission: PermissionLevel } & ({ id: string } | { group: number | string } | { user: number | string });

/** The permissions of one item (`…/permissions/`): layers, tables, sets, documents and sources have them. */
export class PermissionsManager {
  constructor(
    private readonly client: Client,
    /** The item's API path, with its trailing slash. */
    private readonly itemPath: string,
  ) {}

  /** Every permission on the item. */
  list(): Promise<Permission[]> {
    return this.client.json('GET', `${this.itemPath}permissions/`);
  }

  /** One permission, by `group.everyone`, `group.{id}` or `user.{id}`. */
  get(principal: string): Promise<Permission> {
    return this.client.json('GET', `${this.itemPath}${path`permissions/${principal}/`}`);
  }

  /** Grants (or changes) one permission. */
  create(grant: PermissionGrant): Promise<Permission> {
    return this.client.json('POST', `${this.itemPath}permissions/`, { body: grant });
  }

  /** Replaces every permission with this list. */
  set(grants: PermissionGrant[]): Promise<Permission[]> {
    return this.client.json('PUT', `${this.itemPath}permissions/`, { body: grants });
  }
}
