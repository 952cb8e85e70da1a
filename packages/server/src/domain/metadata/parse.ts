import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { invalidParameter } from '../errors.js';
import { readIsoContent, type IsoContent } from './iso-content.js';
import { boxFrom, descendants, path, texts, toNumber, union, type XmlNode } from './xml-tree.js';

/** The largest metadata document accepted, in UTF-8 bytes. */
export const maxMetadataBytes = 5 * 1024 * 1024;

export type MetadataFormat = 'iso' | 'fgdc' | 'dc';

/** What Mapshelf reads from an uploaded metadata document. */
export interface ParsedMetadata {
  format: MetadataFormat;
  title: string | null;
  abstract: string | null;
  keywords: string[];
  /** [minx, miny, maxx, maxy] in WGS84 degrees, the union of every box found. */
  extent: [number, number, number, number] | null;
  /** An ISO document's detail, for the record it fills. */
  iso?: IsoContent;
}

const namespaces = {
  xml: 'http://www.w3.org/XML/1998/namespace',
  gmd: 'http://www.isotc211.org/2005/gmd',
  gmi: 'http://www.isotc211.org/2005/gmi',
  mdb: 'http://standards.iso.org/iso/19115/-3/mdb/',
  dc: 'http://purl.org/dc/elements/1.1/',
  dcterms: 'http://purl.org/dc/terms/',
  oaiDc: 'http://www.openarchives.org/OAI/2.0/oai_dc/',
};


// fast-xml-parser's preserveOrder output: one key naming the tag (or #text / #cdata), plus ':@' for attributes.
type OrderedItem = Record<string, unknown> & { ':@'?: Record<string, string> };

const attributePrefix = '@_';

// Entities off, so a DOCTYPE could never define one; DOCTYPEs are refused before parsing anyway.
// The default maxNestedTags (100) bounds the recursion below.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: attributePrefix,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
});

const predefinedEntities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 || code === 0xa || code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
  );
}

/**
 * Resolves the five predefined entities and character references. Without a DTD any other
 * entity is undeclared, which makes the document not well-formed.
 */
function decodeReferences(text: string): string {
  return text.replace(/&([^;&\s]*);/g, (reference, name: string) => {
    const numeric = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(name);
    if (numeric) {
      const code = numeric[1] !== undefined ? Number.parseInt(numeric[1], 16) : Number(numeric[2]);
      if (!isXmlChar(code)) throw invalidParameter('body', `The XML is not well-formed: ${reference} is not a legal character.`);
      return String.fromCodePoint(code);
    }
    const value = Object.hasOwn(predefinedEntities, name) ? predefinedEntities[name] : undefined;
    if (value === undefined) throw invalidParameter('body', `The XML is not well-formed: entity ${reference} is not declared.`);
    return value;
  });
}

function buildNode(item: OrderedItem, tag: string, scope: ReadonlyMap<string, string>): XmlNode {
  const declarations: Array<[string, string]> = [];
  const attrs = new Map<string, string>();
  for (const [key, raw] of Object.entries(item[':@'] ?? {})) {
    const name = key.slice(attributePrefix.length);
    if (raw.includes('<')) throw invalidParameter('body', `The XML is not well-formed: '<' in the value of attribute ${name}.`);
    if (name === 'xmlns') declarations.push(['', decodeReferences(raw)]);
    else if (name.startsWith('xmlns:')) declarations.push([name.slice('xmlns:'.length), decodeReferences(raw)]);
    else attrs.set(name.slice(name.indexOf(':') + 1), decodeReferences(raw));
  }
  const inner = declarations.length === 0 ? scope : new Map([...scope, ...declarations]);
  const colon = tag.indexOf(':');
  const prefix = colon === -1 ? '' : tag.slice(0, colon);
  const node: XmlNode = { name: tag, local: tag.slice(colon + 1), ns: inner.get(prefix) || null, attrs, children: [], text: '' };
  const pieces: string[] = [];
  for (const child of item[tag] as OrderedItem[]) {
    const childTag = Object.keys(child).find((key) => key !== ':@')!;
    if (childTag === '#text') pieces.push(decodeReferences(child['#text'] as string));
    else if (childTag === '#cdata') pieces.push(((child['#cdata'] as OrderedItem[])[0]?.['#text'] as string | undefined) ?? '');
    else node.children.push(buildNode(child, childTag, inner));
  }
  node.text = pieces.join('').trim();
  return node;
}

/** Parses well-formed XML into a namespace-resolved tree, or throws a 400 naming the problem. */
function parseTree(xml: string): XmlNode {
  const result = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (result !== true) {
    const { msg, line, col } = result.err;
    throw invalidParameter('body', `The XML is not well-formed: ${msg} (line ${line}${col ? `, column ${col}` : ''}).`);
  }
  let items: OrderedItem[];
  try {
    items = parser.parse(xml) as OrderedItem[];
  } catch (error) {
    throw invalidParameter('body', `The XML could not be parsed: ${(error as Error).message}`);
  }
  const roots = items.filter((item) => !('#text' in item));
  const strayText = items.some((item) => typeof item['#text'] === 'string' && item['#text'].trim() !== '');
  if (roots.length !== 1 || strayText) throw invalidParameter('body', 'The XML is not well-formed: it must have exactly one root element.');
  const root = roots[0]!;
  const tag = Object.keys(root).find((key) => key !== ':@')!;
  return buildNode(root, tag, new Map([['xml', namespaces.xml]]));
}

function readIso(root: XmlNode): Omit<ParsedMetadata, 'format'> {
  // MD_DataIdentification, SV_ServiceIdentification, ...: whatever identifies the resource.
  const identifications = path(root, 'identificationInfo', '*');
  const [title] = texts(identifications.flatMap((id) => path(id, 'citation', 'CI_Citation', 'title')));
  const [abstract] = texts(identifications.flatMap((id) => path(id, 'abstract')));
  const boxes = identifications
    .flatMap((id) => [...descendants(id)])
    .filter((n) => n.local === 'EX_GeographicBoundingBox')
    .map((box) => boxFrom(box, 'westBoundLongitude', 'southBoundLatitude', 'eastBoundLongitude', 'northBoundLatitude'));
  return {
    title: title ?? null,
    abstract: abstract ?? null,
    keywords: texts(identifications.flatMap((id) => path(id, 'descriptiveKeywords', 'MD_Keywords', 'keyword'))),
    extent: union(boxes),
  };
}

function readFgdc(root: XmlNode): Omit<ParsedMetadata, 'format'> {
  const [title] = texts(path(root, 'idinfo', 'citation', 'citeinfo', 'title'));
  const [abstract] = texts(path(root, 'idinfo', 'descript', 'abstract'));
  return {
    title: title ?? null,
    abstract: abstract ?? null,
    keywords: texts([...path(root, 'idinfo', 'keywords', 'theme', 'themekey'), ...path(root, 'idinfo', 'keywords', 'place', 'placekey')]),
    extent: union(path(root, 'idinfo', 'spdom', 'bounding').map((b) => boxFrom(b, 'westbc', 'southbc', 'eastbc', 'northbc'))),
  };
}

function isDcElement(node: XmlNode): boolean {
  return node.ns === namespaces.dc || node.ns === namespaces.dcterms || /^(dc|dcterms):/.test(node.name);
}

/** A DCMI Box such as `northlimit=-34; southlimit=-47; westlimit=166; eastlimit=179`. */
function parseDcmiBox(text: string): [number, number, number, number] {
  const parts = new Map(
    text.split(';').map((part) => {
      const [key = '', value = ''] = part.split('=');
      return [key.trim().toLowerCase(), value.trim()] as const;
    }),
  );
  const limit = (key: string) => toNumber(parts.get(key) ?? null);
  return [limit('westlimit'), limit('southlimit'), limit('eastlimit'), limit('northlimit')];
}

function readDc(root: XmlNode): Omit<ParsedMetadata, 'format'> {
  const elements = [root, ...descendants(root)].filter(isDcElement);
  const named = (...locals: string[]) => texts(elements.filter((n) => locals.includes(n.local)));
  const [title] = named('title');
  const [abstract] = named('description', 'abstract');
  return {
    title: title ?? null,
    abstract: abstract ?? null,
    keywords: named('subject'),
    extent: union(named('coverage', 'spatial').map(parseDcmiBox)),
  };
}

function detectFormat(root: XmlNode): MetadataFormat | null {
  if (root.ns === namespaces.gmd || root.name === 'gmd:MD_Metadata' || root.name === 'gmi:MI_Metadata' || (root.ns === namespaces.gmi && root.local === 'MI_Metadata')) {
    return 'iso';
  }
  // ISO 19115-3 (mdb:MD_Metadata), whose element names are read as 19139's where they agree.
  if (root.local === 'MD_Metadata' && root.ns?.startsWith(namespaces.mdb)) return 'iso';
  if (root.local === 'metadata' && root.children.some((child) => child.local === 'idinfo')) return 'fgdc';
  if (root.ns === namespaces.dc || root.name === 'oai_dc:dc' || (root.ns === namespaces.oaiDc && root.local === 'dc')) return 'dc';
  // csw:Record, OAI-PMH <record><metadata>, and similar wrappers around dc:* elements.
  if (['metadata', 'record'].includes(root.local.toLowerCase()) && [...descendants(root)].some(isDcElement)) return 'dc';
  return null;
}

/**
 * Detects the format of an uploaded metadata document (ISO 19139, FGDC CSDGM or Dublin Core)
 * and reads its title, abstract, keywords and bounding box.
 *
 * Refuses, with `invalid_parameter` on `body`: documents over {@link maxMetadataBytes}, any
 * DOCTYPE or ENTITY declaration (external entities and entity expansion bombs), XML that is
 * not well-formed, and XML in none of the three formats.
 */
export function parseMetadataXml(xml: string): ParsedMetadata {
  // UTF-8 never takes fewer bytes than UTF-16 code units, so the cheap check goes first.
  if (xml.length > maxMetadataBytes || Buffer.byteLength(xml, 'utf8') > maxMetadataBytes) {
    throw invalidParameter('body', `The metadata document is larger than ${maxMetadataBytes / 1024 / 1024} MB.`);
  }
  const text = xml.replace(/^\uFEFF/, '');
  // Refused anywhere, even inside comments or CDATA: cheaper and safer than tracking context.
  if (/<!(DOCTYPE|ENTITY)/i.test(text)) {
    throw invalidParameter('body', 'DOCTYPE and ENTITY declarations are not allowed in metadata documents.');
  }
  const root = parseTree(text);
  const format = detectFormat(root);
  if (!format) {
    throw invalidParameter('body', `<${root.name}> is not ISO 19139, FGDC CSDGM or Dublin Core metadata.`);
  }
  const read = format === 'iso' ? readIso : format === 'fgdc' ? readFgdc : readDc;
  return { format, ...read(root), ...(format === 'iso' && { iso: readIsoContent(root) }) };
}
