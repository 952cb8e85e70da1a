/** A workgroup's contact: a person or an organisation its records name in a role (author, custodian, …). */
export interface Contact {
  id: number;
  /** Stable public id: 32 lowercase hex characters. */
  uid: string;
  group_id: number;
  name: string | null;
  organization: string | null;
  email: string | null;
  phone: string | null;
  fax: string | null;
  address_line1: string | null;
  address_line2: string | null;
  address_line3: string | null;
  city: string | null;
  zip_code: string | null;
  /** ISO 3166-1 alpha-2, upper case. */
  country_code: string | null;
  created_at: string;
  updated_at: string;
}

export type ContactFields = Omit<Contact, 'id' | 'uid' | 'group_id' | 'created_at' | 'updated_at'>;
export type NewContact = Omit<Contact, 'id' | 'uid'>;
export type ContactPatch = Partial<ContactFields> & { updated_at: string };
