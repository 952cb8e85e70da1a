/**
 * What Mapshelf knows about one layer or table version, as input to the generated
 * ISO 19139 and Dublin Core documents.
 */
export interface MetadataRecord {
  /** Stable identifier, e.g. 'mapshelf:layer:12:version:3' */
  fileIdentifier: string;
  title: string;
  abstract: string;
  /** 'layer' (vector dataset), 'table' (non-spatial) or 'set' (a series of layers, tables and documents) */
  kind: 'layer' | 'table' | 'set';
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
  fields: Array<{ name: string; type: string }>;
  license: { title: string; url: string | null } | null;
  contact: { organisation: string; email: string | null; individual?: string | null };
  /** Absolute URL of the layer, used as online resource */
  url: string;
  /** ISO 639-2 code. @default 'eng' */
  language?: string;
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
