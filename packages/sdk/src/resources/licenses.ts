import type { Client } from '../client.js';
import { path } from '../core/path.js';
import { Query } from '../core/query.js';

/** A licence as the server sends it. */
export interface License {
  id: number;
  url: string;
  title: string;
  type: string;
  jurisdiction: string;
  version: string;
  [key: string]: unknown;
}

/** `client.licenses`. */
export class LicensesManager {
  constructor(private readonly client: Client) {}

  /** Every licence you may see, as a lazy query. */
  list(): Query<License> {
    return new Query(this.client, 'licenses/', (raw: License) => raw);
  }

  /** One licence, by id. */
  get(id: number): Promise<License> {
    return this.client.json('GET', path`licenses/${id}/`);
  }

  /** A Creative Commons licence by slug (`by`, `by-sa`, ...) and jurisdiction; international without one. */
  getCreativeCommons(slug: string, jurisdiction = 'international'): Promise<License> {
    const name = slug.startsWith('cc-') ? slug : `cc-${slug}`;
    return this.client.json('GET', path`licenses/${name}/${jurisdiction}/`);
  }
}
