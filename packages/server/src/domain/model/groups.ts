export const memberRoles = ['admin', 'editor', 'viewer'] as const;
export type MemberRole = (typeof memberRoles)[number];

export interface Group {
  id: number;
  /** Stable public id: 32 lowercase hex characters. */
  uid: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
}

/** A user's place in a group. */
export interface GroupMember {
  group_id: number;
  user_id: number;
  role: MemberRole;
  joined_at: string;
}

/** A group's member, with the user's names. */
export interface Member extends GroupMember {
  username: string;
  first_name: string;
  last_name: string;
}
