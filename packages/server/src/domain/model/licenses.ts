export interface License {
  id: number;
  /** Stable public id (the Metadata API's `_id`): 32 lowercase hex characters. */
  uid: string;
  /** The workgroup that added it in the Metadata API; null for the built-in and site licences, which are every workgroup's. */
  group_id: number | null;
  slug: string;
  /** `''` for international (unported) licenses. */
  jurisdiction: string;
  title: string;
  type: string;
  version: string;
  url: string | null;
  text: string;
  /** Added by a site admin rather than built in. */
  is_custom: boolean;
  created_at: string;
}

export type NewLicense = Omit<License, 'id' | 'uid' | 'group_id'> & { group_id?: number | null };
export type LicensePatch = Partial<Pick<License, 'title' | 'url' | 'text' | 'slug'>>;
