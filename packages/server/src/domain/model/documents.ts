/** An uploaded document (named so as not to shadow the DOM's `Document`). */
export interface DocumentItem {
  id: number;
  /** Stable public id: 32 lowercase hex characters. */
  uid: string;
  group_id: number;
  owner_id: number;
  title: string;
  description: string;
  tags: string[];
  categories: string[];
  license_id: number | null;
  /** Relative to the data folder. */
  file: string;
  /** The name it was uploaded under, for downloads. */
  filename: string;
  /** Sniffed from the content, not taken from the client. */
  media_type: string;
  size: number;
  sha256: string;
  created_at: string;
  updated_at: string;
}

export type NewDocumentItem = Omit<DocumentItem, 'id' | 'uid'>;
export type DocumentItemPatch = Partial<Omit<DocumentItem, 'id' | 'uid'>>;
