export type { MetadataRecord, Party } from './record.js';
export { buildIso19139 } from './iso19139.js';
export { buildDublinCore } from './dublin-core.js';
export { maxMetadataBytes, parseMetadataXml, type MetadataFormat, type ParsedMetadata } from './parse.js';
export * from './forms.js';
export { iso19139SchemaPath, maxSchemaWarnings, readUploadedMetadata, validateIso19139, type SchemaWarning } from './schema-validation.js';
export type { IsoContent, IsoParty } from './iso-content.js';
