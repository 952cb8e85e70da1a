import { buildDublinCore } from './dublin-core.js';
import { buildIso19139 } from './iso19139.js';
import type { MetadataRecord } from './record.js';

/** The metadata documents an item offers: the uploaded one (`native`), ISO 19139 or Dublin Core. */
export type MetadataForm = 'native' | 'iso' | 'dc';

/**
 * One form of an item's metadata. An uploaded document is served as itself when it is in the
 * asked form; otherwise the document is generated from what Mapshelf knows (`native` without an
 * upload is the generated ISO 19139).
 */
export function metadataDocument(uploaded: { format: string; xml: string } | undefined, form: MetadataForm, record: () => Promise<MetadataRecord>): Promise<string> | string {
  if (uploaded && (form === 'native' || uploaded.format === form)) return uploaded.xml;
  return record().then((r) => (form === 'dc' ? buildDublinCore(r) : buildIso19139(r)));
}
