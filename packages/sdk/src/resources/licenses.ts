import type { Client } from '../client.js';
import { path } from '../core/path.js';
import { Query } from '../core/query.js';

/** A licence as the server sends it. */
export interface License {
  /** The licence's id, for `license` fields of items. */
  id: number;
  /** Where the API serves this licence. */
  url: string;
  /** Its full name, e.g. `Creative Commons Attribution 4.0 International`. */
  title: string;
  /** Its family: `cc-by`, `cc-by-sa`, ..., `public-domain`, or a custom one. */
  type: string;
  /** Where it applies, e.g. `nz`; empty for international licences. */
  jurisdiction: string;
  /** The licence's version, e.g. `4.0`. */
  version: string;
  /** The licence's web page; null if it has none. */
  url_html: string | null;
  /** Where its full text is on the web; null if nowhere. */
  url_fulltext?: string | null;
  /** The licence's terms, as plain text. */
  text?: string;
  /** Whether it was added on this site rather than built in. */
  is_custom?: boolean;
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
