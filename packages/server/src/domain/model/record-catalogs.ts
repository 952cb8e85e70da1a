/**
 * A workgroup's catalog: a named selection of its records, which shares open to applications,
 * other workgroups or anyone with a link. `scan` catalogs also take every record its new
 * layers, tables, sets and documents get (Isogeo's `$scan`).
 */
export interface RecordCatalog {
  id: number;
  /** Stable public id: 32 lowercase hex characters. */
  uid: string;
  group_id: number;
  /** Short and unique in the workgroup: lower case, digits, `-` and `_`. */
  code: string;
  name: string;
  scan: boolean;
  created_at: string;
  updated_at: string;
}

export type NewRecordCatalog = Omit<RecordCatalog, 'id' | 'uid'>;
export type RecordCatalogPatch = Partial<Pick<RecordCatalog, 'code' | 'name' | 'scan'>> & { updated_at: string };
