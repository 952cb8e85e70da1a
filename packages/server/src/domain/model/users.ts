import type { GroupMember } from './groups.js';

/** A user account. Deleting a user deactivates them; the row stays, so ownership history keeps its author. */
export interface User {
  id: number;
  /** Stable public id: 32 lowercase hex characters. */
  uid: string;
  username: string;
  email: string | null;
  first_name: string;
  last_name: string;
  is_admin: boolean;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

export type NewUser = Omit<User, 'id' | 'uid'>;
export type UserPatch = Partial<Omit<User, 'id' | 'uid' | 'created_at'>> & { updated_at: string };

/** One of a user's groups, with its name. */
export interface UserMembership extends GroupMember {
  group_name: string;
  group_uid: string;
}

/** Which users a list may return: all of them, or the caller and the members of the caller's groups. */
export type UserVisibility = { all: true } | { all: false; viewerId: number };

/** What the Metadata API keeps for a user beyond the Data API's fields. */
export interface UserAccount {
  user_id: number;
  /** The scrypt hash of the password for the OAuth2 password grant (`domain/passwords.ts`); null until one is set. Never returned. */
  password_hash: string | null;
  /** fr, en, es or pt. */
  language: string;
  /** An IANA time zone name. */
  timezone: string;
  updated_at: string;
}

export type UserAccountPatch = Partial<Pick<UserAccount, 'password_hash' | 'language' | 'timezone'>> & { updated_at: string };
