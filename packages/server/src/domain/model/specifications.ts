/** A specification a workgroup's records may conform to (a regulation, a product specification). */
export interface Specification {
  id: number;
  /** Stable public id: 32 lowercase hex characters. */
  uid: string;
  group_id: number;
  name: string;
  link: string | null;
  /** When it was published, `YYYY-MM-DDTHH:MM:SS` (no zone, as ISO 19115 citation dates are written). */
  published: string | null;
  created_at: string;
  updated_at: string;
}

export type NewSpecification = Omit<Specification, 'id' | 'uid'>;
export type SpecificationPatch = Partial<Pick<Specification, 'name' | 'link' | 'published'>> & { updated_at: string };
