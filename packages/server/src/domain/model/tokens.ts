export interface Token {
  id: number;
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

export type NewToken = Omit<Token, 'id' | 'last_used_at'>;
