import { escapeXml, formatDecimal, type MetadataRecord } from './record.js';

const ns = {
  gmd: 'http://www.isotc211.org/2005/gmd',
  gco: 'http://www.isotc211.org/2005/gco',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
};
const codeListBase = 'http://standards.iso.org/iso/19139/resources/gmxCodelists.xml';
const languageCodeList = 'http://www.loc.gov/standards/iso639-2/';

/** MD_TopicCategoryCode is an enumeration: any other value makes the document invalid. */
const topicCategories = [
  'farming', 'biota', 'boundaries', 'climatologyMeteorologyAtmosphere', 'economy', 'elevation', 'environment',
  'geoscientificInformation', 'health', 'imageryBaseMapsEarthCover', 'intelligenceMilitary', 'inlandWaters',
  'location', 'oceans', 'planningCadastre', 'society', 'structure', 'transportation', 'utilitiesCommunication',
];
const topicByKey = new Map(topicCategories.map((code) => [categoryKey(code), code]));

/** 'Inland waters', 'inland_waters' and 'inlandWaters' all name the same topic. */
function categoryKey(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, '');
}

interface XmlElement {
  name: string;
  attrs?: Record<string, string>;
  content: string | XmlElement[];
}

type Child = XmlElement | null | XmlElement[];

/** An element with child elements; null children (absent optional elements) are left out. */
function el(name: string, ...children: Child[]): XmlElement {
  return { name, content: children.flat().filter((c): c is XmlElement => c !== null) };
}

function text(name: string, value: string, attrs?: Record<string, string>): XmlElement {
  return { name, attrs, content: value };
}

function characterString(name: string, value: string): XmlElement {
  return el(name, text('gco:CharacterString', value));
}

function code(name: string, list: string, value: string): XmlElement {
  return el(name, text(`gmd:${list}`, value, { codeList: `${codeListBase}#${list}`, codeListValue: value }));
}

function decimal(name: string, value: number): XmlElement {
  return el(name, text('gco:Decimal', formatDecimal(value)));
}

/** A date-only value stays a gco:Date; anything else becomes a UTC gco:DateTime. */
function date(name: string, value: string): XmlElement {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new RangeError(`not an ISO 8601 date: ${value}`);
  const iso = new Date(time).toISOString();
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    // Date.parse rolls 2024-02-30 over to March; xs:date would reject it.
    if (iso.slice(0, 10) !== value) throw new RangeError(`not a calendar date: ${value}`);
    return el(name, text('gco:Date', value));
  }
  return el(name, text('gco:DateTime', iso));
}

function citationDate(value: string, type: 'creation' | 'revision' | 'publication'): XmlElement {
  return el('gmd:date', el('gmd:CI_Date', date('gmd:date', value), code('gmd:dateType', 'CI_DateTypeCode', type)));
}

function render(node: XmlElement, indent: string): string {
  const attrs = Object.entries(node.attrs ?? {})
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
  if (typeof node.content === 'string') return `${indent}<${node.name}${attrs}>${escapeXml(node.content)}</${node.name}>`;
  if (node.content.length === 0) return `${indent}<${node.name}${attrs}/>`;
  const inner = node.content.map((child) => render(child, `${indent}  `));
  return [`${indent}<${node.name}${attrs}>`, ...inner, `${indent}</${node.name}>`].join('\n');
}

function responsibleParty(contact: MetadataRecord['contact']): XmlElement {
  return el(
    'gmd:CI_ResponsibleParty',
    contact.individual ? characterString('gmd:individualName', contact.individual) : null,
    characterString('gmd:organisationName', contact.organisation),
    contact.email
      ? el('gmd:contactInfo', el('gmd:CI_Contact', el('gmd:address', el('gmd:CI_Address', characterString('gmd:electronicMailAddress', contact.email)))))
      : null,
    code('gmd:role', 'CI_RoleCode', 'pointOfContact'),
  );
}

function keywords(words: string[]): XmlElement | null {
  if (words.length === 0) return null;
  return el(
    'gmd:descriptiveKeywords',
    el('gmd:MD_Keywords', words.map((word) => characterString('gmd:keyword', word)), code('gmd:type', 'MD_KeywordTypeCode', 'theme')),
  );
}

/** The MD_GeometricObjectTypeCode for an OGC geometry type name, or null when none fits. */
function geometricObjectType(geometryType: string): string | null {
  if (/collection/i.test(geometryType)) return 'composite';
  if (/polygon|surface|tin|triangle/i.test(geometryType)) return 'surface';
  if (/line|curve/i.test(geometryType)) return 'curve';
  if (/point/i.test(geometryType)) return 'point';
  return null;
}

function vectorRepresentation(record: MetadataRecord): XmlElement | null {
  const objectType = record.kind === 'layer' && record.geometryType ? geometricObjectType(record.geometryType) : null;
  if (!objectType) return null;
  return el(
    'gmd:spatialRepresentationInfo',
    el(
      'gmd:MD_VectorSpatialRepresentation',
      el(
        'gmd:geometricObjects',
        el(
          'gmd:MD_GeometricObjects',
          code('gmd:geometricObjectType', 'MD_GeometricObjectTypeCode', objectType),
          record.featureCount === null ? null : el('gmd:geometricObjectCount', text('gco:Integer', String(record.featureCount))),
        ),
      ),
    ),
  );
}

function referenceSystem(crs: string | null): XmlElement | null {
  if (!crs) return null;
  const match = /^([A-Za-z][\w.-]*):(.+)$/.exec(crs);
  return el(
    'gmd:referenceSystemInfo',
    el(
      'gmd:MD_ReferenceSystem',
      el(
        'gmd:referenceSystemIdentifier',
        el(
          'gmd:RS_Identifier',
          characterString('gmd:code', match ? match[2]! : crs),
          match ? characterString('gmd:codeSpace', match[1]!) : null,
        ),
      ),
    ),
  );
}

function legalConstraints(license: MetadataRecord['license']): XmlElement | null {
  if (!license) return null;
  return el(
    'gmd:resourceConstraints',
    el(
      'gmd:MD_LegalConstraints',
      characterString('gmd:useLimitation', license.title),
      code('gmd:useConstraints', 'MD_RestrictionCode', 'license'),
      license.url ? characterString('gmd:otherConstraints', license.url) : null,
    ),
  );
}

function extent(bbox: MetadataRecord['extent']): XmlElement | null {
  if (!bbox) return null;
  const [west, south, east, north] = bbox;
  return el(
    'gmd:extent',
    el(
      'gmd:EX_Extent',
      el(
        'gmd:geographicElement',
        el(
          'gmd:EX_GeographicBoundingBox',
          decimal('gmd:westBoundLongitude', west),
          decimal('gmd:eastBoundLongitude', east),
          decimal('gmd:southBoundLatitude', south),
          decimal('gmd:northBoundLatitude', north),
        ),
      ),
    ),
  );
}

/**
 * Fields go here as text: gmd has no schema-valid place for attribute names of a vector
 * dataset (that needs a separate ISO 19110 feature catalogue).
 */
function supplementalInformation(record: MetadataRecord): XmlElement | null {
  const lines = [
    record.geometryType ? `Geometry type: ${record.geometryType}` : null,
    record.featureCount === null ? null : `${record.kind === 'table' ? 'Row' : 'Feature'} count: ${record.featureCount}`,
    record.fields.length > 0 ? `Fields: ${record.fields.map((f) => `${f.name} (${f.type})`).join(', ')}` : null,
  ].filter((line): line is string => line !== null);
  return lines.length > 0 ? characterString('gmd:supplementalInformation', lines.join('\n')) : null;
}

/**
 * libxml2 checks xs:anyURI with an RFC 3986 parser, so a stray '%', a second '#', or a bracket
 * outside an IPv6 host would make the whole document invalid: percent-encode them.
 */
function anyUri(url: string): string {
  const [, authority = '', rest = ''] = url.replace(/%(?![0-9A-Fa-f]{2})/g, '%25').match(/^([a-z][\w+.-]*:\/\/[^/?#]*)?(.*)$/is)!;
  const hash = rest.indexOf('#');
  const single = hash === -1 ? rest : rest.slice(0, hash + 1) + rest.slice(hash + 1).replaceAll('#', '%23');
  return authority + single.replaceAll('[', '%5B').replaceAll(']', '%5D');
}

function language(name: string, value: string): XmlElement {
  return el(name, text('gmd:LanguageCode', value, { codeList: languageCodeList, codeListValue: value }));
}

/**
 * A complete ISO 19139 (gmd:MD_Metadata) document for a layer or table version, valid
 * against the 2007 ISO 19139 schemas.
 */
export function buildIso19139(record: MetadataRecord): string {
  const lang = record.language ?? 'eng';
  const topics: string[] = [];
  const otherCategories: string[] = [];
  for (const category of record.categories) {
    const topic = topicByKey.get(categoryKey(category));
    if (topic) {
      if (!topics.includes(topic)) topics.push(topic);
    } else {
      otherCategories.push(category);
    }
  }
  const party = responsibleParty(record.contact);

  const metadata = el(
    'gmd:MD_Metadata',
    characterString('gmd:fileIdentifier', record.fileIdentifier),
    language('gmd:language', lang),
    code('gmd:characterSet', 'MD_CharacterSetCode', 'utf8'),
    code('gmd:hierarchyLevel', 'MD_ScopeCode', record.kind === 'set' ? 'series' : 'dataset'),
    el('gmd:contact', party),
    date('gmd:dateStamp', record.updated),
    characterString('gmd:metadataStandardName', 'ISO 19115:2003/19139'),
    characterString('gmd:metadataStandardVersion', '1.0'),
    vectorRepresentation(record),
    referenceSystem(record.crs),
    el(
      'gmd:identificationInfo',
      el(
        'gmd:MD_DataIdentification',
        el(
          'gmd:citation',
          el(
            'gmd:CI_Citation',
            characterString('gmd:title', record.title),
            citationDate(record.created, 'creation'),
            citationDate(record.updated, 'revision'),
            record.published ? citationDate(record.published, 'publication') : null,
          ),
        ),
        characterString('gmd:abstract', record.abstract),
        el('gmd:pointOfContact', party),
        keywords(record.keywords),
        keywords(otherCategories),
        legalConstraints(record.license),
        record.kind === 'set' ? null : code('gmd:spatialRepresentationType', 'MD_SpatialRepresentationTypeCode', record.kind === 'table' ? 'textTable' : 'vector'),
        language('gmd:language', lang),
        code('gmd:characterSet', 'MD_CharacterSetCode', 'utf8'),
        topics.map((topic) => el('gmd:topicCategory', text('gmd:MD_TopicCategoryCode', topic))),
        extent(record.extent),
        supplementalInformation(record),
      ),
    ),
    el(
      'gmd:distributionInfo',
      el(
        'gmd:MD_Distribution',
        el(
          'gmd:transferOptions',
          el(
            'gmd:MD_DigitalTransferOptions',
            el(
              'gmd:onLine',
              el(
                'gmd:CI_OnlineResource',
                el('gmd:linkage', text('gmd:URL', anyUri(record.url))),
                characterString('gmd:protocol', 'WWW:LINK-1.0-http--link'),
                characterString('gmd:name', record.title),
                code('gmd:function', 'CI_OnLineFunctionCode', 'information'),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  metadata.attrs = {
    'xmlns:gmd': ns.gmd,
    'xmlns:gco': ns.gco,
    'xmlns:xsi': ns.xsi,
    'xsi:schemaLocation': `${ns.gmd} http://schemas.opengis.net/iso/19139/20070417/gmd/gmd.xsd`,
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${render(metadata, '')}\n`;
}
