export interface License {
  id: number;
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

export type NewLicense = Omit<License, 'id'>;
