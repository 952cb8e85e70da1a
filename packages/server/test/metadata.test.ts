import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MapshelfError } from '../src/domain/errors.js';
import {
  buildDublinCore,
  buildIso19139,
  iso19139SchemaPath,
  maxMetadataBytes,
  maxSchemaWarnings,
  parseMetadataXml,
  validateIso19139,
  type MetadataRecord,
} from '../src/domain/metadata/index.js';

// The schemas in the repository (schemas/iso19139/), where the server finds them too.
const isoSchema = iso19139SchemaPath;

// Markup characters, both quotes, non-Latin text, an astral character, and controls XML 1.0 cannot carry.
const nasty = `Roads & <Rails> "quoted" 'single' — Māori: Ōtautahi, 東京, 😀\u0001\u000B\uFFFE`;
const nastyClean = `Roads & <Rails> "quoted" 'single' — Māori: Ōtautahi, 東京, 😀`;

const fullRecord: MetadataRecord = {
  fileIdentifier: 'mapshelf:layer:12:version:3',
  title: nasty,
  abstract: `First line & more\r\nSecond line with ]]> and &amp; literally`,
  kind: 'layer',
  keywords: ['roads', 'a&b <c>', 'ngā ara'],
  categories: ['Transportation', 'inland waters', 'Fun & games'],
  created: '2024-01-02',
  updated: '2024-03-04T05:06:07.123Z',
  published: '2024-03-05T09:00:00+13:00',
  extent: [166.4260, -47.2900001, 178.5500004, 1e-7],
  crs: 'EPSG:2193',
  geometryType: 'MultiLineString',
  featureCount: 123456,
  fields: [
    { name: 'name', type: 'String' },
    { name: 'lanes<2>', type: 'Integer' },
  ],
  license: { title: 'Creative Commons Attribution 4.0 International', url: 'https://creativecommons.org/licenses/by/4.0/' },
  contact: { organisation: 'Toitū Te Whenua & LINZ', email: 'info@example.org', individual: 'Jo "JB" Bloggs' },
  url: 'https://mapshelf.example/layers/12/versions/3/?format=json&expand=all',
  language: 'mri',
};

const minimalRecord: MetadataRecord = {
  fileIdentifier: 'mapshelf:layer:7:version:1',
  title: 'Bare layer',
  abstract: '',
  kind: 'layer',
  keywords: [],
  categories: [],
  created: '2023-06-30T23:59:59Z',
  updated: '2023-07-01T00:00:00Z',
  published: null,
  extent: null,
  crs: null,
  geometryType: null,
  featureCount: null,
  fields: [],
  license: null,
  contact: { organisation: 'Somebody', email: null },
  url: 'https://mapshelf.example/layers/7/',
};

const tableRecord: MetadataRecord = {
  ...minimalRecord,
  fileIdentifier: 'mapshelf:table:9:version:2',
  title: 'Census counts',
  abstract: 'Counts per area unit, no geometry.',
  kind: 'table',
  keywords: ['census'],
  categories: ['society', 'statistics'],
  featureCount: 2047,
  fields: [
    { name: 'au_code', type: 'String' },
    { name: 'count', type: 'Integer64' },
  ],
  license: { title: 'Public domain', url: null },
  url: 'https://mapshelf.example/tables/9/',
};

// A CRS without an authority prefix, an extent across the equator and meridian, and a URL
// that xs:anyURI (as libxml2 reads it) refuses unless escaped.
const oddRecord: MetadataRecord = {
  ...fullRecord,
  url: 'http://[::1]:8080/layers/13/?q=100%&tags=[a]#top#x',
  fileIdentifier: 'mapshelf:layer:13:version:1',
  crs: 'LOCAL_CS["engineering"]',
  geometryType: 'GeometryCollection',
  featureCount: 0,
  extent: [-0.000001, -1.5, 2.25, 3],
};

/** What parseMetadataXml reads of any format, without an ISO document's detail (`iso`, read by the records' import). */
function summaryOf(xml: string) {
  const { iso: _iso, ...summary } = parseMetadataXml(xml);
  return summary;
}

const records = { full: fullRecord, minimal: minimalRecord, table: tableRecord, odd: oddRecord };

function assertRejected(xml: string, pattern: RegExp): void {
  assert.throws(
    () => parseMetadataXml(xml),
    (error: unknown) => {
      assert.ok(error instanceof MapshelfError, `expected a MapshelfError, got ${String(error)}`);
      assert.equal(error.code, 'invalid_parameter');
      assert.equal(error.errors[0]?.location, 'body');
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('metadata documents', () => {
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mapshelf-metadata-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs xmllint and fails the test with its stderr when it refuses the file. */
  function xmllint(name: string, xml: string, args: string[]): void {
    const file = join(dir, name);
    writeFileSync(file, xml);
    try {
      execFileSync('xmllint', [...args, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const { stderr } = error as { stderr: Buffer };
      assert.fail(`xmllint refused ${name}:\n${stderr.toString()}`);
    }
  }

  describe('ISO 19139', () => {
    for (const [name, record] of Object.entries(records)) {
      it(`validates against the 2007 schemas: ${name} record`, () => {
        xmllint(`${name}.iso.xml`, buildIso19139(record), ['--nonet', '--noout', '--schema', isoSchema]);
      });
    }

    it('escapes markup and drops characters XML 1.0 cannot carry', () => {
      const xml = buildIso19139(fullRecord);
      assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<gmd:MD_Metadata '));
      assert.ok(xml.includes('Roads &amp; &lt;Rails&gt; &quot;quoted&quot; &apos;single&apos;'));
      assert.doesNotMatch(xml, /[\u0001\u000B\uFFFE]/);
      assert.ok(xml.includes('😀'));
    });

    it('maps valid topic categories to gmd:topicCategory and the rest to keywords', () => {
      const xml = buildIso19139(fullRecord);
      assert.ok(xml.includes('<gmd:MD_TopicCategoryCode>transportation</gmd:MD_TopicCategoryCode>'));
      assert.ok(xml.includes('<gmd:MD_TopicCategoryCode>inlandWaters</gmd:MD_TopicCategoryCode>'));
      assert.ok(xml.includes('<gco:CharacterString>Fun &amp; games</gco:CharacterString>'));
      assert.deepEqual(summaryOf(xml).keywords, [...fullRecord.keywords, 'Fun & games']);
    });

    it('describes the CRS, dates, geometry, license, contact and link', () => {
      const xml = buildIso19139(fullRecord);
      assert.match(xml, /<gmd:code>\s*<gco:CharacterString>2193<\/gco:CharacterString>\s*<\/gmd:code>\s*<gmd:codeSpace>\s*<gco:CharacterString>EPSG</);
      assert.match(xml, /<gco:Date>2024-01-02<\/gco:Date>\s*<\/gmd:date>\s*<gmd:dateType>\s*<gmd:CI_DateTypeCode [^>]*codeListValue="creation"/);
      assert.ok(xml.includes('<gco:DateTime>2024-03-04T20:00:00.000Z</gco:DateTime>'), 'publication date in UTC');
      assert.ok(xml.includes('codeList="http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#CI_RoleCode" codeListValue="pointOfContact"'));
      assert.ok(xml.includes('codeListValue="curve"') && xml.includes('<gco:Integer>123456</gco:Integer>'));
      assert.ok(xml.includes('<gco:Decimal>0.0000001</gco:Decimal>'), 'decimals without an exponent');
      assert.ok(xml.includes('<gmd:URL>https://mapshelf.example/layers/12/versions/3/?format=json&amp;expand=all</gmd:URL>'));
      assert.ok(xml.includes('https://creativecommons.org/licenses/by/4.0/'));
      assert.ok(xml.includes('Fields: name (String), lanes&lt;2&gt; (Integer)'));
      assert.ok(xml.includes('<gco:CharacterString>Jo &quot;JB&quot; Bloggs</gco:CharacterString>'));
    });

    it('percent-encodes what xs:anyURI refuses in the link, keeping an IPv6 host', () => {
      assert.ok(buildIso19139(oddRecord).includes('<gmd:URL>http://[::1]:8080/layers/13/?q=100%25&amp;tags=%5Ba%5D#top%23x</gmd:URL>'));
    });

    it('marks a table as textTable and leaves out what it lacks', () => {
      const xml = buildIso19139(tableRecord);
      assert.ok(xml.includes('codeListValue="textTable"'));
      assert.ok(xml.includes('Row count: 2047'));
      assert.doesNotMatch(xml, /spatialRepresentationInfo|referenceSystemInfo|EX_GeographicBoundingBox|electronicMailAddress/);
    });

    it('round-trips title, abstract, keywords and extent through parseMetadataXml', () => {
      const parsed = parseMetadataXml(buildIso19139(fullRecord));
      assert.equal(parsed.format, 'iso');
      assert.equal(parsed.title, nastyClean);
      assert.equal(parsed.abstract, fullRecord.abstract);
      assert.deepEqual(parsed.keywords.slice(0, fullRecord.keywords.length), fullRecord.keywords);
      assert.ok(parsed.extent, 'extent');
      parsed.extent.forEach((value, i) => assert.ok(Math.abs(value - fullRecord.extent![i]!) < 1e-9, `extent[${i}] ${value}`));

      const bare = summaryOf(buildIso19139(minimalRecord));
      assert.deepEqual(bare, { format: 'iso', title: 'Bare layer', abstract: null, keywords: [], extent: null });
    });

    it('refuses a date that is not a calendar date', () => {
      assert.throws(() => buildIso19139({ ...minimalRecord, created: '2024-02-30' }), RangeError);
      assert.throws(() => buildIso19139({ ...minimalRecord, updated: 'yesterday' }), RangeError);
    });
  });

  describe('Dublin Core', () => {
    for (const [name, record] of Object.entries(records)) {
      it(`is well-formed: ${name} record`, () => {
        xmllint(`${name}.dc.xml`, buildDublinCore(record), ['--nonet', '--noout']);
      });
    }

    it('carries every field, escaped', () => {
      const xml = buildDublinCore(fullRecord);
      assert.ok(xml.includes('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"'));
      for (const expected of [
        '<dc:title>Roads &amp; &lt;Rails&gt; &quot;quoted&quot; &apos;single&apos; — Māori: Ōtautahi, 東京, 😀</dc:title>',
        '<dc:description>First line &amp; more&#13;\nSecond line with ]]&gt; and &amp;amp; literally</dc:description>',
        '<dc:subject>a&amp;b &lt;c&gt;</dc:subject>',
        '<dc:subject>Transportation</dc:subject>',
        '<dc:date>2024-03-05T09:00:00+13:00</dc:date>',
        '<dc:type>Dataset</dc:type>',
        '<dc:format>application/geopackage+sqlite3</dc:format>',
        '<dc:identifier>https://mapshelf.example/layers/12/versions/3/?format=json&amp;expand=all</dc:identifier>',
        '<dc:rights>Creative Commons Attribution 4.0 International (https://creativecommons.org/licenses/by/4.0/)</dc:rights>',
        '<dc:coverage>northlimit=0.0000001; southlimit=-47.2900001; westlimit=166.426; eastlimit=178.5500004; units=signed decimal degrees; projection=WGS84</dc:coverage>',
        '<dc:publisher>Toitū Te Whenua &amp; LINZ</dc:publisher>',
        '<dc:language>mri</dc:language>',
      ]) {
        assert.ok(xml.includes(expected), `missing ${expected}`);
      }
    });

    it('leaves out coverage and rights when unknown, and dates an unpublished record by its update', () => {
      const xml = buildDublinCore(minimalRecord);
      assert.doesNotMatch(xml, /dc:coverage|dc:rights|dc:subject/);
      assert.ok(xml.includes('<dc:date>2023-07-01T00:00:00Z</dc:date>'));
      assert.ok(xml.includes('<dc:language>eng</dc:language>'));
    });

    it('round-trips through parseMetadataXml', () => {
      const parsed = parseMetadataXml(buildDublinCore(fullRecord));
      assert.equal(parsed.format, 'dc');
      assert.equal(parsed.title, nastyClean);
      assert.equal(parsed.abstract, fullRecord.abstract);
      assert.deepEqual(parsed.keywords, [...fullRecord.keywords, ...fullRecord.categories]);
      parsed.extent!.forEach((value, i) => assert.ok(Math.abs(value - fullRecord.extent![i]!) < 1e-9, `extent[${i}] ${value}`));
    });
  });

  describe('parseMetadataXml', () => {
    it('detects ISO 19139 written by another tool (gmx:Anchor keywords, PT_FreeText, two boxes)', () => {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by a catalogue -->
<MD_Metadata xmlns="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco"
    xmlns:gmx="http://www.isotc211.org/2005/gmx" xmlns:xlink="http://www.w3.org/1999/xlink"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <fileIdentifier><gco:CharacterString>5f0c1a</gco:CharacterString></fileIdentifier>
  <contact gco:nilReason="missing"/>
  <dateStamp><gco:Date>2021-05-01</gco:Date></dateStamp>
  <identificationInfo>
    <MD_DataIdentification>
      <citation><CI_Citation>
        <title xsi:type="PT_FreeText_PropertyType">
          <gco:CharacterString>NZ Coastline &amp; Islands</gco:CharacterString>
          <PT_FreeText><textGroup><LocalisedCharacterString locale="#mi">Takutai</LocalisedCharacterString></textGroup></PT_FreeText>
        </title>
      </CI_Citation></citation>
      <abstract><gco:CharacterString><![CDATA[Mean high water <coastline> & offshore islands]]></gco:CharacterString></abstract>
      <descriptiveKeywords><MD_Keywords>
        <keyword><gmx:Anchor xlink:href="http://inspire.ec.europa.eu/theme/hy">Hydrography</gmx:Anchor></keyword>
        <keyword><gco:CharacterString>coast&#x2019;s edge</gco:CharacterString></keyword>
      </MD_Keywords></descriptiveKeywords>
      <language><gco:CharacterString>eng</gco:CharacterString></language>
      <extent><EX_Extent>
        <geographicElement><EX_GeographicBoundingBox>
          <westBoundLongitude><gco:Decimal>166.3</gco:Decimal></westBoundLongitude>
          <eastBoundLongitude><gco:Decimal>178.6</gco:Decimal></eastBoundLongitude>
          <southBoundLatitude><gco:Decimal>-47.4</gco:Decimal></southBoundLatitude>
          <northBoundLatitude><gco:Decimal>-34.3</gco:Decimal></northBoundLatitude>
        </EX_GeographicBoundingBox></geographicElement>
        <geographicElement><EX_GeographicBoundingBox>
          <westBoundLongitude><gco:Decimal>-176.9</gco:Decimal></westBoundLongitude>
          <eastBoundLongitude><gco:Decimal>-176.1</gco:Decimal></eastBoundLongitude>
          <southBoundLatitude><gco:Decimal>-44.4</gco:Decimal></southBoundLatitude>
          <northBoundLatitude><gco:Decimal>-43.7</gco:Decimal></northBoundLatitude>
        </EX_GeographicBoundingBox></geographicElement>
      </EX_Extent></extent>
    </MD_DataIdentification>
  </identificationInfo>
</MD_Metadata>`;
      assert.deepEqual(summaryOf(xml), {
        format: 'iso',
        title: 'NZ Coastline & Islands',
        abstract: 'Mean high water <coastline> & offshore islands',
        keywords: ['Hydrography', 'coast\u2019s edge'],
        extent: [-176.9, -47.4, 178.6, -34.3],
      });
    });

    it('detects gmi:MI_Metadata', () => {
      const xml = `\uFEFF<gmi:MI_Metadata xmlns:gmi="http://www.isotc211.org/2005/gmi" xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco">
  <gmd:identificationInfo><gmd:MD_DataIdentification>
    <gmd:citation><gmd:CI_Citation><gmd:title><gco:CharacterString>Landsat 8 scene</gco:CharacterString></gmd:title></gmd:CI_Citation></gmd:citation>
    <gmd:abstract><gco:CharacterString>Imagery</gco:CharacterString></gmd:abstract>
  </gmd:MD_DataIdentification></gmd:identificationInfo>
</gmi:MI_Metadata>`;
      assert.deepEqual(summaryOf(xml), { format: 'iso', title: 'Landsat 8 scene', abstract: 'Imagery', keywords: [], extent: null });
    });

    it('detects FGDC CSDGM', () => {
      const xml = `<?xml version="1.0" encoding="ISO-8859-1"?>
<metadata>
  <idinfo>
    <citation><citeinfo>
      <origin>U.S. Geological Survey</origin>
      <pubdate>20190415</pubdate>
      <title>National Hydrography Dataset (NHD) &#8211; Alaska</title>
      <geoform>vector digital data</geoform>
    </citeinfo></citation>
    <descript>
      <abstract>The NHD is a comprehensive set of digital spatial data &lt;flowlines&gt;.</abstract>
      <purpose>Mapping.</purpose>
    </descript>
    <timeperd><timeinfo><sngdate><caldate>2019</caldate></sngdate></timeinfo><current>publication date</current></timeperd>
    <status><progress>Complete</progress><update>Irregular</update></status>
    <spdom><bounding>
      <westbc>-179.23</westbc>
      <eastbc>-129.97</eastbc>
      <northbc>71.44</northbc>
      <southbc>51.21</southbc>
    </bounding></spdom>
    <keywords>
      <theme><themekt>None</themekt><themekey>hydrography</themekey><themekey>streams</themekey></theme>
      <place><placekt>GNIS</placekt><placekey>Alaska</placekey></place>
    </keywords>
    <accconst>None</accconst>
    <useconst>None</useconst>
  </idinfo>
  <metainfo><metd>20190415</metd><metstdn>FGDC Content Standard for Digital Geospatial Metadata</metstdn><metstdv>FGDC-STD-001-1998</metstdv></metainfo>
</metadata>`;
      assert.deepEqual(summaryOf(xml), {
        format: 'fgdc',
        title: 'National Hydrography Dataset (NHD) \u2013 Alaska',
        abstract: 'The NHD is a comprehensive set of digital spatial data <flowlines>.',
        keywords: ['hydrography', 'streams', 'Alaska'],
        extent: [-179.23, 51.21, -129.97, 71.44],
      });
    });

    it('detects Dublin Core as oai_dc, as a csw:Record and as a bare dc root', () => {
      const oaiDc = `<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title>Parks</dc:title><dc:subject>recreation</dc:subject><dc:subject>green space</dc:subject>
  <dc:description>City parks.</dc:description>
  <dc:coverage>northlimit=-41.1; southlimit=-41.4; westlimit=174.6; eastlimit=174.9; units=signed decimal degrees</dc:coverage>
</oai_dc:dc>`;
      assert.deepEqual(summaryOf(oaiDc), {
        format: 'dc',
        title: 'Parks',
        abstract: 'City parks.',
        keywords: ['recreation', 'green space'],
        extent: [174.6, -41.4, 174.9, -41.1],
      });

      const cswRecord = `<csw:Record xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:dct="http://purl.org/dc/terms/" xmlns:ows="http://www.opengis.net/ows">
  <dc:identifier>abc</dc:identifier><dc:title>Bus stops</dc:title><dc:type>dataset</dc:type>
  <dc:subject>transport</dc:subject><dct:abstract>Every stop.</dct:abstract>
  <ows:BoundingBox crs="urn:x-ogc:def:crs:EPSG:6.11:4326"><ows:LowerCorner>-41 174</ows:LowerCorner><ows:UpperCorner>-40 175</ows:UpperCorner></ows:BoundingBox>
</csw:Record>`;
      assert.deepEqual(summaryOf(cswRecord), { format: 'dc', title: 'Bus stops', abstract: 'Every stop.', keywords: ['transport'], extent: null });

      const bare = `<dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">Only a title</dc:title>`;
      assert.equal(parseMetadataXml(bare).format, 'dc');
    });

    it('refuses an external entity (XXE)', () => {
      assertRejected(
        `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&e;</dc:title></oai_dc:dc>`,
        /DOCTYPE and ENTITY declarations are not allowed/,
      );
    });

    it('refuses a billion laughs', () => {
      const entities = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('\n');
      assertRejected(`<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 "lol">\n${entities}\n]>\n<lolz>&lol9;</lolz>`, /DOCTYPE/);
    });

    it('refuses a plain DOCTYPE, and an ENTITY declaration on its own', () => {
      assertRejected(`<?xml version="1.0"?>\n<!DOCTYPE metadata SYSTEM "http://www.fgdc.gov/metadata/fgdc-std-001-1998.dtd">\n<metadata><idinfo/></metadata>`, /DOCTYPE/);
      assertRejected(`<metadata><!ENTITY x "y"><idinfo/></metadata>`, /ENTITY/);
    });

    it('refuses malformed XML with the parser message', () => {
      assertRejected('<metadata><idinfo></metadata>', /not well-formed: Expected closing tag 'idinfo'.*line 1/);
      assertRejected('<metadata><idinfo>fish & chips</idinfo></metadata>', /not well-formed: char '&' is not expected/);
      assertRejected('<metadata><idinfo>&nbsp;</idinfo></metadata>', /entity &nbsp; is not declared/);
      assertRejected('<metadata><idinfo>&#0;</idinfo></metadata>', /&#0; is not a legal character/);
      assertRejected('<metadata><idinfo/></metadata><metadata/>', /exactly one root element/);
      assertRejected('not xml at all', /not well-formed/);
      assertRejected('', /not well-formed/);
    });

    it('refuses XML in no known metadata format', () => {
      assertRejected('<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>', /<kml> is not ISO 19139, FGDC CSDGM or Dublin Core/);
      assertRejected('<metadata><title>no idinfo and no dc</title></metadata>', /<metadata> is not/);
      assertRejected('<record xmlns:dcx="urn:not-dc"><dcx:title>x</dcx:title></record>', /<record> is not/);
    });

    it('refuses a document over the size limit', () => {
      const padding = ' '.repeat(maxMetadataBytes);
      assertRejected(`<metadata><idinfo/></metadata>${padding}`, /larger than 5 MB/);
      // Multi-byte characters count as bytes, not as UTF-16 units.
      const title = 'ā'.repeat(maxMetadataBytes / 2);
      assertRejected(`<metadata><idinfo><title>${title}</title></idinfo></metadata>`, /larger than 5 MB/);
    });
  });

  describe('validateIso19139 (xmllint against the schemas in schemas/iso19139/)', () => {
    const box = (west: string) => `<gmd:geographicElement><gmd:EX_GeographicBoundingBox>
  <gmd:westBoundLongitude><gco:Decimal>${west}</gco:Decimal></gmd:westBoundLongitude>
  <gmd:eastBoundLongitude><gco:Decimal>180</gco:Decimal></gmd:eastBoundLongitude>
  <gmd:southBoundLatitude><gco:Decimal>-90</gco:Decimal></gmd:southBoundLatitude>
  <gmd:northBoundLatitude><gco:Decimal>90</gco:Decimal></gmd:northBoundLatitude>
</gmd:EX_GeographicBoundingBox></gmd:geographicElement>`;
    /** The full record with its extent's boxes replaced by these. */
    const withBoxes = (boxes: string[]) =>
      buildIso19139(fullRecord).replace(/<gmd:geographicElement>[\s\S]*<\/gmd:geographicElement>/, boxes.join('\n'));

    it('finds the schemas in the repository', () => {
      assert.ok(existsSync(iso19139SchemaPath), iso19139SchemaPath);
      assert.match(iso19139SchemaPath, /\/schemas\/iso19139\/iso\/19139\/20070417\/gmd\/gmd\.xsd$/);
    });

    it('has nothing to say about a valid document', async () => {
      assert.deepEqual(await validateIso19139(buildIso19139(fullRecord)), []);
      // The declared encoding is the sender's; the text reaches xmllint as UTF-8 either way.
      const latin1 = buildIso19139({ ...fullRecord, title: 'Zürich' }).replace(/encoding="[^"]*"/, 'encoding="ISO-8859-1"');
      assert.deepEqual(await validateIso19139(latin1), []);
    });

    it('reports each problem with its line, at most 20', async () => {
      const one = withBoxes([box('west')]);
      const line = one.split('\n').findIndex((text) => text.includes('>west<')) + 1;
      const warnings = await validateIso19139(one);
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.equal(warnings[0]!.line, line);
      assert.match(warnings[0]!.message, /'west' is not a valid value of the atomic type 'xs:decimal'/);
      assert.doesNotMatch(warnings[0]!.message, /^-:|Schemas validity error/);

      const many = await validateIso19139(withBoxes(Array.from({ length: 30 }, (_, i) => box(`w${i}`))));
      assert.equal(many.length, maxSchemaWarnings);
      assert.ok(many.every((w) => typeof w.line === 'number' && w.line > 0 && w.message.length <= 500), JSON.stringify(many));
    });

    it('says when a root is not one the 2007 gmd schemas declare (gmi:MI_Metadata)', async () => {
      const gmi = `<gmi:MI_Metadata xmlns:gmi="http://www.isotc211.org/2005/gmi" xmlns:gmd="http://www.isotc211.org/2005/gmd"/>`;
      const [warning, ...rest] = await validateIso19139(gmi);
      assert.deepEqual(rest, []);
      assert.equal(warning?.line, 1);
      assert.match(warning?.message ?? '', /Only gmd:MD_Metadata documents can be checked/);
    });

    it('never reads the schema locations a document names', async () => {
      const xml = buildIso19139(fullRecord).replace(
        /xsi:schemaLocation="[^"]*"/,
        'xsi:schemaLocation="http://www.isotc211.org/2005/gmd /etc/passwd urn:x /etc/passwd urn:y http://127.0.0.1:9/x.xsd"',
      );
      assert.match(xml, /\/etc\/passwd/);
      const warnings = await validateIso19139(xml);
      assert.ok(!JSON.stringify(warnings).includes('root:'), JSON.stringify(warnings));
      assert.deepEqual(warnings, []);
    });

    it('reports a check that could not run, without throwing', async () => {
      const [warning] = await validateIso19139(buildIso19139(fullRecord), join(dir, 'missing.xsd'));
      assert.deepEqual(warning, { line: null, message: 'Not checked against the ISO 19139 schemas: the server could not find them.' });
    });
  });
});
