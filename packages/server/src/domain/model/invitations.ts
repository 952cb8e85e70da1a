import type { MemberRole } from './groups.js';

/** An invitation to join a workgroup, for whoever signs in with its email address. */
export interface Invitation {
  id: number;
  /** Stable public id: 32 lowercase hex characters. */
  uid: string;
  group_id: number;
  /** Lower case. */
  email: string;
  role: MemberRole;
  invited_by: number | null;
  created_at: string;
  updated_at: string;
  expires_at: string;
}

export type NewInvitation = Omit<Invitation, 'id' | 'uid'>;
