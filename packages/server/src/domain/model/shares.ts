/**
 * A share opens catalogs of a workgroup: to the group applications in it (type `application`:
 * what their client-credentials tokens read) or to other workgroups (type `group`, read-only);
 * and its `url_token`, while it has one, opens them to anyone holding the link.
 */
export type ShareType = 'application' | 'group';

export interface Share {
  id: number;
  /** Stable public id: 32 lowercase hex characters. */
  uid: string;
  /** The workgroup that made it, whose catalogs it opens. */
  group_id: number;
  name: string;
  type: ShareType;
  /** Isogeo's rights: `reshare` lets the workgroups it opens to share the catalogs on. */
  rights: string[];
  /**
   * The link's token (32 hex), shown to the workgroup in the share like the link it is part of,
   * so kept as it is; null when the link is off. A new one ends the old links at once.
   */
  url_token: string | null;
  created_at: string;
  updated_at: string;
}

export type NewShare = Omit<Share, 'id' | 'uid'>;
export type SharePatch = Partial<Pick<Share, 'name' | 'rights' | 'url_token'>> & { updated_at: string };

/** What a share opens catalogs to: applications, workgroups, and the catalogs it opens. */
export type ShareMember = 'applications' | 'catalogs' | 'groups';
