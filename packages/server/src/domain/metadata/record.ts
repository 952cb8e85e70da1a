/** A responsible party: a person or an organisation, and how to reach them. */
export interface Party {
  organisation: string | null;
  individual?: string | null;
  email: string | null;
  phone?: string | null;
  fax?: string | null;
  addressLines?: string[];
  city?: string | null;
  postalCode?: string | null;
  country?: string | null;
}

/**
 * What Mapshelf knows about a record (a layer, table or set version's, or a Metadata API
 * record), as input to the generated ISO 19139 and Dublin Core documents. The optional fields
 * are what a Metadata API record adds.
 */
export interface MetadataRecord {
  /** Stable identifier, e.g. 'mapshelf:layer:12:version:3' or 'urn:isogeo:metadata:uuid:…' */
  fileIdentifier: string;
  title: string;
  abstract: string;
  /** A vector dataset, a table, a series, a service, or a resource (a document, a map). */
  kind: 'layer' | 'table' | 'set' | 'service' | 'resource' | 'dataset';
  /** Tags. */
  keywords: string[];
  /** Free text; ISO output maps valid MD_TopicCategoryCode values to gmd:topicCategory, the rest to keywords. */
  categories: string[];
  /** ISO 8601 date or date-time. */
  created: string;
  /** ISO 8601 date or date-time. */
  updated: string;
  /** ISO 8601 date or date-time, null while unpublished. */
  published: string | null;
  /** [minx, miny, maxx, maxy] lon/lat WGS84, or null */
  extent: [number, number, number, number] | null;
  /** 'EPSG:2193' or null */
  crs: string | null;
  geometryType: string | null;
  featureCount: number | null;
  fields: Array<{ name: string; type: string; alias?: string | null; description?: string | null }>;
  license: { title: string; url: string | null } | null;
  /** Who answers for the metadata (its workgroup). */
  contact: Party;
  /** Absolute URL of the item, used as online resource */
  url: string;
  /** ISO 639-2 code. @default 'eng' */
  language?: string;
  /** Parties in their roles (CI_RoleCode: pointOfContact, author, custodian…). */
  parties?: Array<Party & { role: string }>;
  /** Licences with what the record says of their use. */
  conditions?: Array<{ title: string; url: string | null; description: string | null }>;
  limitations?: Array<{ type: 'legal' | 'security'; restriction: string | null; description: string | null; directive: string | null }>;
  conformity?: Array<{ title: string; published: string | null; link: string | null; conformant: boolean }>;
  events?: Array<{ date: string; kind: 'creation' | 'update' | 'publication'; description: string | null }>;
  /** Online resources beside `url`: absolute URLs, with the link's kind (wms, wfs, data…) and actions. */
  links?: Array<{ url: string; title: string; kind: string; actions: string[] }>;
  format?: { name: string; version: string | null } | null;
  /** A service's layers (their names in it) and its operations. */
  serviceLayers?: Array<{ name: string; title: string | null }>;
  operations?: Array<{ name: string; verb: string; url: string }>;
  /** ISO 8601 duration, such as P1Y. */
  updateFrequency?: string | null;
  validFrom?: string | null;
  validTo?: string | null;
  validityComment?: string | null;
  collectionContext?: string | null;
  collectionMethod?: string | null;
  topologicalConsistency?: string | null;
  geoContext?: string | null;
  /** The denominator of the scale. */
  scale?: number | null;
  /** Ground resolution in metres. */
  distance?: number | null;
}

// Characters outside XML 1.0's Char production (C0 controls, lone surrogates, U+FFFE/FFFF).
const illegalXmlChars = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const xmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/**
 * Text made safe for XML element content or a quoted attribute: markup characters escaped,
 * characters XML 1.0 cannot carry dropped. `\r` is escaped so parsers don't normalize it away.
 */
export function escapeXml(text: string): string {
  return text.replace(illegalXmlChars, '').replace(/[&<>"'\r]/g, (c) => xmlEscapes[c]!);
}

/** A number as an xs:decimal literal: no exponent, which `String(1e-7)` would produce. */
export function formatDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const text = String(value);
  if (!/e/i.test(text)) return text;
  // Doubles this large are integers; toFixed would fall back to an exponent for them.
  if (Math.abs(value) >= 1e21) return BigInt(value).toString();
  return value.toFixed(20).replace(/\.?0+$/, '');
}
