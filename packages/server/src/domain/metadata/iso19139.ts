import { escapeXml, formatDecimal, type MetadataRecord, type Party } from './record.js';

const ns = {
  gmd: 'http://www.isotc211.org/2005/gmd',
  gco: 'http://www.isotc211.org/2005/gco',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  gml: 'http://www.opengis.net/gml/3.2',
  gts: 'http://www.isotc211.org/2005/gts',
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

/** A date or date-time as a UTC xs:dateTime (a date is its midnight). */
function isoDateTime(value: string): string {
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time)) throw new RangeError(`not an ISO 8601 date: ${value}`);
  return new Date(time).toISOString();
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

function responsibleParty(party: Party, role = 'pointOfContact'): XmlElement {
  const address = [
    ...(party.addressLines ?? []).map((line) => characterString('gmd:deliveryPoint', line)),
    party.city ? characterString('gmd:city', party.city) : null,
    party.postalCode ? characterString('gmd:postalCode', party.postalCode) : null,
    party.country ? characterString('gmd:country', party.country) : null,
    party.email ? characterString('gmd:electronicMailAddress', party.email) : null,
  ].filter((child): child is XmlElement => child !== null);
  const phones = [party.phone ? characterString('gmd:voice', party.phone) : null, party.fax ? characterString('gmd:facsimile', party.fax) : null].filter((c): c is XmlElement => c !== null);
  return el(
    'gmd:CI_ResponsibleParty',
    party.individual ? characterString('gmd:individualName', party.individual) : null,
    party.organisation ? characterString('gmd:organisationName', party.organisation) : null,
    phones.length + address.length > 0
      ? el('gmd:contactInfo', el('gmd:CI_Contact', phones.length > 0 ? el('gmd:phone', el('gmd:CI_Telephone', phones)) : null, address.length > 0 ? el('gmd:address', el('gmd:CI_Address', address)) : null))
      : null,
    code('gmd:role', 'CI_RoleCode', role),
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

/** Isogeo's legal restrictions as MD_RestrictionCode values. */
const restrictionCodes: Record<string, string> = {
  copyright: 'copyright',
  intellectualPropertyRights: 'intellectualPropertyRights',
  license: 'license',
  other: 'otherRestrictions',
  patent: 'patent',
  patentPending: 'patentPending',
  trademark: 'trademark',
};

/** The licence (a Data API version's), the record's conditions (a licence and its terms) and its limitations. */
function constraints(record: MetadataRecord): XmlElement[] {
  const out: XmlElement[] = [];
  const licenses = [...(record.license ? [{ ...record.license, description: null }] : []), ...(record.conditions ?? [])];
  for (const license of licenses) {
    out.push(
      el(
        'gmd:resourceConstraints',
        el(
          'gmd:MD_LegalConstraints',
          characterString('gmd:useLimitation', license.description ?? license.title),
          code('gmd:useConstraints', 'MD_RestrictionCode', 'license'),
          characterString('gmd:otherConstraints', license.url ? `${license.title} (${license.url})` : license.title),
        ),
      ),
    );
  }
  for (const limitation of record.limitations ?? []) {
    const note = [limitation.directive, limitation.description].filter((t): t is string => !!t).join('\n') || null;
    if (limitation.type === 'security') {
      // A classification is required; a security limitation says access is restricted.
      out.push(el('gmd:resourceConstraints', el('gmd:MD_SecurityConstraints', code('gmd:classification', 'MD_ClassificationCode', 'restricted'), note ? characterString('gmd:userNote', note) : null)));
      continue;
    }
    const restriction = restrictionCodes[limitation.restriction ?? 'other'] ?? 'otherRestrictions';
    out.push(
      el(
        'gmd:resourceConstraints',
        el(
          'gmd:MD_LegalConstraints',
          limitation.description ? characterString('gmd:useLimitation', limitation.description) : null,
          code('gmd:accessConstraints', 'MD_RestrictionCode', restriction),
          limitation.directive ? characterString('gmd:otherConstraints', limitation.directive) : null,
        ),
      ),
    );
  }
  return out;
}

/** ISO 8601 durations with a maintenance code of their own. */
const frequencyCodes: Record<string, string> = { P1D: 'daily', P1W: 'weekly', P7D: 'weekly', P2W: 'fortnightly', P14D: 'fortnightly', P1M: 'monthly', P3M: 'quarterly', P6M: 'biannually', P1Y: 'annually' };

function maintenance(frequency: string | null | undefined): XmlElement | null {
  if (!frequency) return null;
  return el(
    'gmd:resourceMaintenance',
    el(
      'gmd:MD_MaintenanceInformation',
      code('gmd:maintenanceAndUpdateFrequency', 'MD_MaintenanceFrequencyCode', frequencyCodes[frequency] ?? 'irregular'),
      el('gmd:userDefinedMaintenanceFrequency', text('gts:TM_PeriodDuration', frequency)),
    ),
  );
}

function resolution(record: MetadataRecord): XmlElement[] {
  const out: XmlElement[] = [];
  if (record.scale) {
    out.push(el('gmd:spatialResolution', el('gmd:MD_Resolution', el('gmd:equivalentScale', el('gmd:MD_RepresentativeFraction', el('gmd:denominator', text('gco:Integer', String(record.scale))))))));
  }
  if (record.distance) out.push(el('gmd:spatialResolution', el('gmd:MD_Resolution', el('gmd:distance', text('gco:Distance', formatDecimal(record.distance), { uom: 'm' })))));
  return out;
}

/** A date or date-time as gml:TimePosition wants it. */
function timePosition(name: string, value: string): XmlElement {
  return text(name, /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : new Date(value).toISOString().slice(0, 19));
}

function extent(record: MetadataRecord): XmlElement | null {
  const bbox = record.extent;
  const period = record.validFrom || record.validTo;
  if (!bbox && !period) return null;
  return el(
    'gmd:extent',
    el(
      'gmd:EX_Extent',
      bbox &&
        el(
          'gmd:geographicElement',
          el(
            'gmd:EX_GeographicBoundingBox',
            decimal('gmd:westBoundLongitude', bbox[0]),
            decimal('gmd:eastBoundLongitude', bbox[2]),
            decimal('gmd:southBoundLatitude', bbox[1]),
            decimal('gmd:northBoundLatitude', bbox[3]),
          ),
        ),
      period
        ? el(
            'gmd:temporalElement',
            el(
              'gmd:EX_TemporalExtent',
              el(
                'gmd:extent',
                {
                  name: 'gml:TimePeriod',
                  attrs: { 'gml:id': 'validity' },
                  content: [
                    record.validFrom ? timePosition('gml:beginPosition', record.validFrom) : { name: 'gml:beginPosition', attrs: { indeterminatePosition: 'unknown' }, content: '' },
                    record.validTo ? timePosition('gml:endPosition', record.validTo) : { name: 'gml:endPosition', attrs: { indeterminatePosition: 'now' }, content: '' },
                  ],
                },
              ),
            ),
          )
        : null,
    ),
  );
}

const fieldText = (field: MetadataRecord['fields'][number]): string => `${field.name} (${field.type})`;

/** What the record says of each field, a line each (`Field "name" alias: …`), so a reader can take it back. */
function fieldNotes(fields: MetadataRecord['fields']): string[] {
  const line = (field: MetadataRecord['fields'][number], key: 'alias' | 'description') => {
    const value = field[key];
    return value ? [`Field ${JSON.stringify(field.name)} ${key}: ${value.replace(/\s*\n\s*/g, ' ')}`] : [];
  };
  return fields.flatMap((field) => [...line(field, 'alias'), ...line(field, 'description')]);
}

/**
 * Fields go here as text: gmd has no schema-valid place for attribute names of a vector
 * dataset (that needs a separate ISO 19110 feature catalogue, whose schemas the 2007 ISO 19139
 * set does not include).
 */
function supplementalInformation(record: MetadataRecord): XmlElement | null {
  const lines = [
    record.geometryType ? `Geometry type: ${record.geometryType}` : null,
    record.featureCount === null ? null : `${record.kind === 'table' ? 'Row' : 'Feature'} count: ${record.featureCount}`,
    record.fields.length > 0 ? `Fields: ${record.fields.map(fieldText).join(', ')}` : null,
    ...fieldNotes(record.fields),
    // The 2007 set has no srv schema: a service's layers and operations are lines, as Mapshelf reads them back.
    ...(record.serviceLayers ?? []).map((layer) => `Service layer ${JSON.stringify(layer.name)}: ${(layer.title ?? '').replace(/\s*\n\s*/g, ' ')}`),
    ...(record.operations ?? []).map((operation) => `Operation ${operation.name} ${operation.verb} ${operation.url}`),
    record.geoContext ? `Geographic context: ${record.geoContext}` : null,
    record.validityComment ? `Validity: ${record.validityComment}` : null,
  ].filter((line): line is string => line !== null);
  return lines.length > 0 ? characterString('gmd:supplementalInformation', lines.join('\n')) : null;
}

/** The feature types a dataset's catalogue describes (the layer's `data`), cited by name. */
function featureCatalogue(record: MetadataRecord): XmlElement | null {
  if (record.fields.length === 0) return null;
  return el(
    'gmd:contentInfo',
    el(
      'gmd:MD_FeatureCatalogueDescription',
      el('gmd:includedWithDataset', text('gco:Boolean', 'true')),
      el('gmd:featureTypes', text('gco:LocalName', 'data')),
      el('gmd:featureCatalogueCitation', el('gmd:CI_Citation', characterString('gmd:title', `Attributes of ${record.title}: ${record.fields.map(fieldText).join(', ')}`), citationDate(record.created, 'creation'))),
    ),
  );
}

/** Conformity to specifications, and the lineage (how the data was collected, its topology; why is the identification's purpose). */
function dataQuality(record: MetadataRecord): XmlElement | null {
  const reports = (record.conformity ?? []).map((c) =>
    el(
      'gmd:report',
      el(
        'gmd:DQ_DomainConsistency',
        el(
          'gmd:result',
          el(
            'gmd:DQ_ConformanceResult',
            el('gmd:specification', el('gmd:CI_Citation', characterString('gmd:title', c.link ? `${c.title} (${c.link})` : c.title), citationDate(c.published ?? record.created, 'publication'))),
            characterString('gmd:explanation', c.conformant ? 'Conformant' : 'Not conformant'),
            el('gmd:pass', text('gco:Boolean', String(c.conformant))),
          ),
        ),
      ),
    ),
  );
  const lineage = [record.collectionMethod, record.topologicalConsistency ? `Topological consistency: ${record.topologicalConsistency}` : null].filter((t): t is string => !!t);
  // What changed, and when: the events that say it, as the lineage's process steps (a citation date has no room for it).
  const steps = (record.events ?? []).filter((event) => event.description).map((event) =>
    el('gmd:processStep', el('gmd:LI_ProcessStep', characterString('gmd:description', event.description!), el('gmd:dateTime', text('gco:DateTime', isoDateTime(event.date))))),
  );
  if (reports.length === 0 && lineage.length === 0 && steps.length === 0) return null;
  return el(
    'gmd:dataQualityInfo',
    el(
      'gmd:DQ_DataQuality',
      el('gmd:scope', el('gmd:DQ_Scope', code('gmd:level', 'MD_ScopeCode', scopeOf(record)))),
      reports,
      lineage.length + steps.length > 0 ? el('gmd:lineage', el('gmd:LI_Lineage', lineage.length > 0 ? characterString('gmd:statement', lineage.join('\n')) : null, steps)) : null,
    ),
  );
}

/** The protocol a link speaks, as catalogues name them. */
const protocols: Record<string, string> = { wms: 'OGC:WMS', wfs: 'OGC:WFS', wmts: 'OGC:WMTS', esriFeatureService: 'ESRI:REST', esriMapService: 'ESRI:REST', esriTileService: 'ESRI:REST', data: 'WWW:DOWNLOAD-1.0-http--download' };

function onlineResource(url: string, title: string, protocol: string, fn: string): XmlElement {
  return el(
    'gmd:onLine',
    el(
      'gmd:CI_OnlineResource',
      el('gmd:linkage', text('gmd:URL', anyUri(url))),
      characterString('gmd:protocol', protocol),
      characterString('gmd:name', title),
      code('gmd:function', 'CI_OnLineFunctionCode', fn),
    ),
  );
}

function distribution(record: MetadataRecord): XmlElement {
  const links = (record.links ?? []).map((link) =>
    onlineResource(link.url, link.title, protocols[link.kind] ?? 'WWW:LINK-1.0-http--link', link.actions.includes('download') ? 'download' : 'information'),
  );
  return el(
    'gmd:distributionInfo',
    el(
      'gmd:MD_Distribution',
      record.format
        ? el('gmd:distributionFormat', el('gmd:MD_Format', characterString('gmd:name', record.format.name), characterString('gmd:version', record.format.version ?? 'unknown')))
        : null,
      el('gmd:transferOptions', el('gmd:MD_DigitalTransferOptions', onlineResource(record.url, record.title, 'WWW:LINK-1.0-http--link', 'information'), links)),
    ),
  );
}

function scopeOf(record: MetadataRecord): string {
  if (record.kind === 'set') return 'series';
  if (record.kind === 'service') return 'service';
  if (record.kind === 'resource') return 'nonGeographicDataset';
  return 'dataset';
}

const eventDateTypes = { creation: 'creation', update: 'revision', publication: 'publication' } as const;

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

/** The citation's dates: its events when the record has them, else its creation, last change and publication. */
function citationDates(record: MetadataRecord): XmlElement[] {
  if (record.events && record.events.length > 0) return record.events.map((event) => citationDate(event.date, eventDateTypes[event.kind]));
  return [citationDate(record.created, 'creation'), citationDate(record.updated, 'revision'), ...(record.published ? [citationDate(record.published, 'publication')] : [])];
}

/**
 * A complete ISO 19139 (gmd:MD_Metadata) document for a layer, table or set version, or a
 * Metadata API record, valid against the 2007 ISO 19139 schemas.
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
  const parties = record.parties && record.parties.length > 0 ? record.parties.map((party) => responsibleParty(party, party.role)) : [responsibleParty(record.contact)];
  const spatial = record.kind === 'layer' ? 'vector' : record.kind === 'table' ? 'textTable' : null;

  const metadata = el(
    'gmd:MD_Metadata',
    characterString('gmd:fileIdentifier', record.fileIdentifier),
    language('gmd:language', lang),
    code('gmd:characterSet', 'MD_CharacterSetCode', 'utf8'),
    code('gmd:hierarchyLevel', 'MD_ScopeCode', scopeOf(record)),
    el('gmd:contact', responsibleParty(record.contact)),
    date('gmd:dateStamp', record.updated),
    characterString('gmd:metadataStandardName', 'ISO 19115:2003/19139'),
    characterString('gmd:metadataStandardVersion', '1.0'),
    vectorRepresentation(record),
    referenceSystem(record.crs),
    el(
      'gmd:identificationInfo',
      el(
        'gmd:MD_DataIdentification',
        el('gmd:citation', el('gmd:CI_Citation', characterString('gmd:title', record.title), citationDates(record))),
        characterString('gmd:abstract', record.abstract),
        record.collectionContext ? characterString('gmd:purpose', record.collectionContext) : null,
        parties.map((party) => el('gmd:pointOfContact', party)),
        maintenance(record.updateFrequency),
        keywords(record.keywords),
        keywords(otherCategories),
        constraints(record),
        spatial ? code('gmd:spatialRepresentationType', 'MD_SpatialRepresentationTypeCode', spatial) : null,
        resolution(record),
        language('gmd:language', lang),
        code('gmd:characterSet', 'MD_CharacterSetCode', 'utf8'),
        topics.map((topic) => el('gmd:topicCategory', text('gmd:MD_TopicCategoryCode', topic))),
        extent(record),
        supplementalInformation(record),
      ),
    ),
    featureCatalogue(record),
    distribution(record),
    dataQuality(record),
  );
  metadata.attrs = {
    'xmlns:gmd': ns.gmd,
    'xmlns:gco': ns.gco,
    'xmlns:gml': ns.gml,
    'xmlns:gts': ns.gts,
    'xmlns:xsi': ns.xsi,
    'xsi:schemaLocation': `${ns.gmd} http://schemas.opengis.net/iso/19139/20070417/gmd/gmd.xsd`,
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${render(metadata, '')}\n`;
}
