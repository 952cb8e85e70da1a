/** An OAuth2 client of the Metadata API. */
export type ApplicationType = 'group' | 'user';
/** RFC 6749's client types: a confidential client keeps its secret, a public one (a browser app) can't. */
export type ApplicationKind = 'public' | 'confidential';

export interface Application {
  id: number;
  /** Stable public id: 32 lowercase hex characters. */
  uid: string;
  name: string;
  /** `group`: reads what is shared with it (client credentials). `user`: acts as the user who signs in (password grant). */
  type: ApplicationType;
  kind: ApplicationKind;
  /** `<slug>-<32 hex>`, as the Isogeo SDK checks it. */
  client_id: string;
  /** SHA-256 of the secret, hex. The secret itself is shown once and never stored. */
  secret_hash: string;
  url: string | null;
  redirect_uris: string[];
  /** The scopes its tokens carry. */
  scopes: string[];
  can_have_many_groups: boolean;
  staff: boolean;
  created_at: string;
  updated_at: string;
}

export type NewApplication = Omit<Application, 'id' | 'uid'>;
export type ApplicationPatch = Partial<Pick<Application, 'name' | 'kind' | 'url' | 'redirect_uris' | 'scopes' | 'can_have_many_groups'>> & { updated_at: string };

/** An access or refresh token given to an application, for itself or for a user. */
export interface OAuthToken {
  id: number;
  application_id: number;
  /** The user a `user` application acts for; null for a `group` application's own tokens. */
  user_id: number | null;
  kind: 'access' | 'refresh';
  /** SHA-256 of the token, hex. */
  token_hash: string;
  /** Space-separated, as on the wire. */
  scope: string;
  created_at: string;
  expires_at: string;
}

export type NewOAuthToken = Omit<OAuthToken, 'id'>;
