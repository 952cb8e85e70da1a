import { escapeXml, formatDecimal, type MetadataRecord } from './record.js';

/** Versions are stored as GeoPackage files, whatever format they were imported from. */
const storedFormat = 'application/geopackage+sqlite3';

/** A DCMI Box (https://www.dublincore.org/specifications/dublin-core/dcmi-box/) in WGS84 degrees. */
function dcmiBox([west, south, east, north]: [number, number, number, number]): string {
  return [
    `northlimit=${formatDecimal(north)}`,
    `southlimit=${formatDecimal(south)}`,
    `westlimit=${formatDecimal(west)}`,
    `eastlimit=${formatDecimal(east)}`,
    'units=signed decimal degrees',
    'projection=WGS84',
  ].join('; ');
}

/** An OAI-PMH style Dublin Core record (oai_dc:dc) for a layer, table or set version. */
export function buildDublinCore(record: MetadataRecord): string {
  const elements: Array<[string, string]> = [
    ['title', record.title],
    ...[...record.keywords, ...record.categories].map((subject): [string, string] => ['subject', subject]),
    ['description', record.abstract],
    ['publisher', record.contact.organisation ?? ''],
    ['date', record.published ?? record.updated],
    ...(record.kind === 'set'
      ? [['type', 'Collection'] as [string, string]]
      : [['type', 'Dataset'] as [string, string], ['format', storedFormat] as [string, string]]),
    ['identifier', record.url],
    ['identifier', record.fileIdentifier],
    ['language', record.language ?? 'eng'],
  ];
  if (record.extent) elements.push(['coverage', dcmiBox(record.extent)]);
  if (record.license) elements.push(['rights', record.license.url ? `${record.license.title} (${record.license.url})` : record.license.title]);

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"' +
      ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' +
      ' xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">',
    ...elements.map(([name, value]) => `  <dc:${name}>${escapeXml(value)}</dc:${name}>`),
    '</oai_dc:dc>',
    '',
  ].join('\n');
}
