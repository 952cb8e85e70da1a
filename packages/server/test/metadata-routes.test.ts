/**
 * Metadata documents of layer and table versions, through HTTP against a running server: the
 * generated ISO 19139 (validated offline against the 2007 schemas with xmllint) and Dublin Core,
 * uploaded documents served back verbatim, and unsafe or malformed uploads refused.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createUserWithToken, startTestServer, type ApiResponse, type TestServer } from './helpers/server.js';
import { ogrInfo, packagedData, part, uploadSource, waitForScan, type OgrLayerInfo } from './helpers/uploads.js';
import { iso19139SchemaPath } from '../src/domain/metadata/index.js';

// The schemas in the repository (schemas/iso19139/), where the server finds them too.
const isoSchema = iso19139SchemaPath;

interface Layer {
  id: number;
  url: string;
  title: string;
  data: { extent: { coordinates: number[][][] } | null; feature_count: number | null };
  version: { id: number; url: string; status: string };
  metadata: { iso: string; dc: string; native: string };
}

const uploadedIso = `<?xml version="1.0" encoding="UTF-8"?>
<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco">
  <gmd:fileIdentifier><gco:CharacterString>uploaded-countries-1</gco:CharacterString></gmd:fileIdentifier>
  <gmd:contact>
    <gmd:CI_ResponsibleParty>
      <gmd:organisationName><gco:CharacterString>Natural Earth via world-atlas</gco:CharacterString></gmd:organisationName>
      <gmd:role><gmd:CI_RoleCode codeList="http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#CI_RoleCode" codeListValue="pointOfContact">pointOfContact</gmd:CI_RoleCode></gmd:role>
    </gmd:CI_ResponsibleParty>
  </gmd:contact>
  <gmd:dateStamp><gco:Date>2024-05-01</gco:Date></gmd:dateStamp>
  <gmd:identificationInfo>
    <gmd:MD_DataIdentification>
      <gmd:citation>
        <gmd:CI_Citation>
          <gmd:title><gco:CharacterString>Countries of the world (uploaded ISO)</gco:CharacterString></gmd:title>
          <gmd:date>
            <gmd:CI_Date>
              <gmd:date><gco:Date>2024-05-01</gco:Date></gmd:date>
              <gmd:dateType><gmd:CI_DateTypeCode codeList="http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#CI_DateTypeCode" codeListValue="publication">publication</gmd:CI_DateTypeCode></gmd:dateType>
            </gmd:CI_Date>
          </gmd:date>
        </gmd:CI_Citation>
      </gmd:citation>
      <gmd:abstract><gco:CharacterString>Country outlines at 1:110m.</gco:CharacterString></gmd:abstract>
      <gmd:language><gco:CharacterString>eng</gco:CharacterString></gmd:language>
      <gmd:extent>
        <gmd:EX_Extent>
          <gmd:geographicElement>
            <gmd:EX_GeographicBoundingBox>
              <gmd:westBoundLongitude><gco:Decimal>-180</gco:Decimal></gmd:westBoundLongitude>
              <gmd:eastBoundLongitude><gco:Decimal>180</gco:Decimal></gmd:eastBoundLongitude>
              <gmd:southBoundLatitude><gco:Decimal>-90</gco:Decimal></gmd:southBoundLatitude>
              <gmd:northBoundLatitude><gco:Decimal>83.6</gco:Decimal></gmd:northBoundLatitude>
            </gmd:EX_GeographicBoundingBox>
          </gmd:geographicElement>
        </gmd:EX_Extent>
      </gmd:extent>
    </gmd:MD_DataIdentification>
  </gmd:identificationInfo>
</gmd:MD_Metadata>
`;

// Odd whitespace and a comment on purpose: the stored document must come back byte for byte.
const uploadedDc = `<?xml version="1.0" encoding="UTF-8"?>
<!-- uploaded by the metadata-routes test -->
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"   xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:title>Countries (uploaded Dublin Core)</dc:title>
  <dc:subject>boundaries</dc:subject>
  <dc:description>Natural Earth 1:110m countries, from world-atlas.</dc:description>
  <dc:coverage>northlimit=83.6; southlimit=-90; westlimit=-180; eastlimit=180</dc:coverage>
</oai_dc:dc>
`;

const xxe = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE oai_dc:dc [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title>&xxe;</dc:title>
</oai_dc:dc>
`;

const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&lol4;</dc:title></oai_dc:dc>
`;

const malformed = `<?xml version="1.0"?>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title>Unclosed
</oai_dc:dc>
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function ogr2ogr(args: string[]): void {
  execFileSync('ogr2ogr', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Numbers inside the named ISO element, e.g. gmd:westBoundLongitude → gco:Decimal. */
function isoDecimals(xml: string, element: string): number[] {
  const pattern = new RegExp(`<gmd:${element}>\\s*<gco:Decimal>([^<]+)</gco:Decimal>\\s*</gmd:${element}>`, 'g');
  return [...xml.matchAll(pattern)].map((m) => Number(m[1]));
}

describe('metadata routes of layer versions', () => {
  let server: TestServer;
  let work: string;
  let countries: OgrLayerInfo;
  let layer: Layer;
  let table: Layer;
  let viewer: { token: string };

  /** Runs xmllint on a document; returns its stderr on failure, or null when it passes. */
  const xmllint = (xml: string, schema: string | null): string | null => {
    const file = join(work, `doc-${Date.now()}-${Math.random().toString(36).slice(2)}.xml`);
    writeFileSync(file, xml);
    try {
      execFileSync('xmllint', ['--nonet', '--noout', ...(schema ? ['--schema', schema] : []), file], { stdio: ['ignore', 'pipe', 'pipe'] });
      return null;
    } catch (error) {
      return String((error as { stderr?: Buffer }).stderr ?? error);
    }
  };

  const getXml = async (url: string): Promise<ApiResponse> => {
    const res = await server.request('GET', url, { headers: { accept: 'application/xml' } });
    assert.equal(res.status, 200, `GET ${url}: ${res.text}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/xml/, `GET ${url}`);
    return res;
  };

  const postXml = (url: string, xml: string, token?: string, contentType = 'application/xml') =>
    server.request('POST', url, { raw: xml, token, headers: { 'content-type': contentType } });

  const importedLayer = async (collection: string, body: Record<string, unknown>): Promise<Layer> => {
    const res = await server.request('POST', collection, { body });
    assert.equal(res.status, 201, res.text);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const got = await server.request('GET', res.body.version.url);
      if (!['queued', 'importing'].includes(got.body.version.status)) {
        assert.equal(got.body.version.status, 'ok', JSON.stringify(got.body.version));
        return got.body as Layer;
      }
      assert.ok(Date.now() < deadline, 'the import did not finish in 30 s');
      await sleep(75);
    }
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-metadata-routes-'));
    const gpkg = join(work, 'countries.gpkg');
    ogr2ogr(['-f', 'GPKG', '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON', gpkg, packagedData('world-atlas/countries-110m.json'), 'countries']);
    countries = ogrInfo(gpkg)[0]!;
    const csv = join(work, 'country_names.csv');
    ogr2ogr(['-f', 'CSV', csv, packagedData('world-atlas/countries-110m.json'), 'countries']);
    assert.ok(xmllint(uploadedIso, isoSchema) === null, 'the ISO document to upload is itself valid');

    server = await startTestServer();
    const upload = await uploadSource(server, 'World', [part(gpkg), part(csv)]);
    assert.equal(upload.status, 201, upload.text);
    const scan = await waitForScan(server, upload.body.id as number);
    assert.equal(scan.status, 'completed', JSON.stringify(scan));
    const ds = await server.request('GET', `sources/${upload.body.id}/datasources/`, { headers: { expand: 'list' } });
    const vector = (ds.body as Array<{ id: number; data_type: string }>).find((d) => d.data_type === 'vector')!;
    const tabular = (ds.body as Array<{ id: number; data_type: string }>).find((d) => d.data_type === 'table')!;
    assert.ok(vector && tabular, ds.text);

    [layer, table] = await Promise.all([
      importedLayer('layers/', {
        title: 'Countries & territories <110m>',
        description: 'Natural Earth country outlines.',
        tags: ['world', 'boundaries'],
        data: { datasources: [vector.id] },
      }),
      importedLayer('tables/', { title: 'Country names', data: { datasources: [tabular.id] } }),
    ]);

    const v = await createUserWithToken(server, 'viewer', 'layers:read layers:write');
    const member = await server.request('POST', `groups/${(await server.request('GET', layer.url)).body.group.id}/members/`, {
      body: { user: v.id, role: 'viewer' },
    });
    assert.ok([200, 201].includes(member.status), member.text);
    viewer = v;
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('serves generated ISO 19139 that validates against the 2007 schemas, with the title and bounding box', async () => {
    assert.equal(layer.metadata.iso, `${layer.version.url}metadata/iso/`);
    const res = await getXml(layer.metadata.iso);
    const problems = xmllint(res.text, isoSchema);
    assert.equal(problems, null, `ISO 19139 does not validate:\n${problems}\n${res.text}`);
    assert.ok(res.text.includes('Countries &amp; territories &lt;110m&gt;'), `the escaped title is missing:\n${res.text}`);
    assert.ok(res.text.includes('Natural Earth country outlines.'), 'the description');
    assert.match(res.text, /<gmd:EX_GeographicBoundingBox>/);

    const [west] = isoDecimals(res.text, 'westBoundLongitude');
    const [east] = isoDecimals(res.text, 'eastBoundLongitude');
    const [south] = isoDecimals(res.text, 'southBoundLatitude');
    const [north] = isoDecimals(res.text, 'northBoundLatitude');
    const expected = countries.extent!;
    for (const [got, want, name] of [
      [west, expected[0], 'west'],
      [south, expected[1], 'south'],
      [east, expected[2], 'east'],
      [north, expected[3], 'north'],
    ] as const) {
      assert.ok(got !== undefined && Math.abs(got - want) < 1e-3, `${name}: ${got}, ogrinfo says ${want}`);
    }
  });

  it('serves generated ISO 19139 for a table too', async () => {
    const res = await getXml(table.metadata.iso);
    const problems = xmllint(res.text, isoSchema);
    assert.equal(problems, null, `ISO 19139 of a table does not validate:\n${problems}\n${res.text}`);
    assert.ok(res.text.includes('Country names'));
  });

  it('serves generated Dublin Core that is well-formed, with dc:title', async () => {
    const res = await getXml(layer.metadata.dc);
    assert.equal(xmllint(res.text, null), null, res.text);
    assert.match(res.text, /xmlns:dc="http:\/\/purl\.org\/dc\/elements\/1\.1\/"/);
    assert.ok(res.text.includes('<dc:title>Countries &amp; territories &lt;110m&gt;</dc:title>'), res.text);
  });

  it('serves ISO 19139 as the native form while nothing was uploaded', async () => {
    const native = await getXml(layer.metadata.native);
    const iso = await getXml(layer.metadata.iso);
    assert.equal(native.text, iso.text);
  });

  it('stores an uploaded Dublin Core document and serves it back verbatim', async () => {
    const res = await postXml(layer.metadata.native, uploadedDc);
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('location'), layer.metadata.native);
    assert.equal(res.body.format, 'dc');
    assert.deepEqual(res.body.warnings, [], 'only ISO documents are checked against the ISO schemas');
    assert.equal((await getXml(layer.metadata.native)).text, uploadedDc);
    assert.equal((await getXml(layer.metadata.dc)).text, uploadedDc);
    // ISO stays available, and valid.
    const iso = await getXml(layer.metadata.iso);
    assert.equal(xmllint(iso.text, isoSchema), null, iso.text);
  });

  it('replaces it with an uploaded ISO document, served verbatim as native and iso', async () => {
    const res = await postXml(layer.metadata.native, uploadedIso, undefined, 'text/xml; charset=utf-8');
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.format, 'iso');
    assert.deepEqual(res.body.warnings, [], 'a valid ISO document has nothing to warn about');
    assert.equal((await getXml(layer.metadata.native)).text, uploadedIso);
    assert.equal((await getXml(layer.metadata.iso)).text, uploadedIso);
    const dc = await getXml(layer.metadata.dc);
    assert.equal(xmllint(dc.text, null), null, dc.text);
    assert.match(dc.text, /<dc:title>/);
  });

  it('stores an ISO document the schemas find fault with, and reports the problems as warnings with their lines', async () => {
    // A date that isn't one, a decimal that isn't one: two problems, reported, not refused.
    const faulty = uploadedIso
      .replace('<gmd:dateStamp><gco:Date>2024-05-01</gco:Date></gmd:dateStamp>', '<gmd:dateStamp><gco:Date>2024-13-45</gco:Date></gmd:dateStamp>')
      .replace('<gco:Decimal>83.6</gco:Decimal>', '<gco:Decimal>north</gco:Decimal>');
    const lineOf = (text: string, xml = faulty) => xml.split('\n').findIndex((l) => l.includes(text)) + 1;
    const res = await postXml(layer.metadata.native, faulty);
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.format, 'iso');
    const warnings = res.body.warnings as Array<{ line: number; message: string }>;
    assert.deepEqual(warnings.map((w) => w.line), [lineOf('2024-13-45'), lineOf('>north<')], JSON.stringify(warnings));
    assert.match(warnings[0]!.message, /^Element '\{http:\/\/www.isotc211.org\/2005\/gco\}Date': '2024-13-45' is not a valid value/);
    assert.match(warnings[1]!.message, /'north' is not a valid value of the atomic type 'xs:decimal'/);
    assert.equal((await getXml(layer.metadata.native)).text, faulty, 'the document is stored all the same');

    // At most 20, however many there are.
    const many = uploadedIso.replace(/<gco:Decimal>[^<]*<\/gco:Decimal>/g, '<gco:Decimal>x</gco:Decimal>').replace(
      '</gmd:EX_GeographicBoundingBox>\n          </gmd:geographicElement>',
      `</gmd:EX_GeographicBoundingBox>\n          </gmd:geographicElement>${'\n<gmd:geographicElement><gmd:EX_GeographicBoundingBox><gmd:westBoundLongitude><gco:Decimal>x</gco:Decimal></gmd:westBoundLongitude><gmd:eastBoundLongitude><gco:Decimal>x</gco:Decimal></gmd:eastBoundLongitude><gmd:southBoundLatitude><gco:Decimal>x</gco:Decimal></gmd:southBoundLatitude><gmd:northBoundLatitude><gco:Decimal>x</gco:Decimal></gmd:northBoundLatitude></gmd:EX_GeographicBoundingBox></gmd:geographicElement>'.repeat(6)}`,
    );
    const capped = await postXml(layer.metadata.native, many);
    assert.equal(capped.status, 201, capped.text);
    assert.equal(capped.body.warnings.length, 20, capped.text);

    // An element out of place: xmllint names it, and checks nothing further inside its parent.
    const disordered = uploadedIso
      .replace('  <gmd:dateStamp><gco:Date>2024-05-01</gco:Date></gmd:dateStamp>\n', '')
      .replace('  <gmd:contact>', '  <gmd:dateStamp><gco:Date>2024-05-01</gco:Date></gmd:dateStamp>\n  <gmd:contact>');
    const order = await postXml(layer.metadata.native, disordered);
    assert.equal(order.status, 201, order.text);
    assert.deepEqual(order.body.warnings.map((w: { line: number }) => w.line), [lineOf('<gmd:dateStamp>', disordered)], order.text);
    assert.match(order.body.warnings[0].message, /dateStamp': This element is not expected/);

    const valid = await postXml(layer.metadata.native, uploadedIso);
    assert.equal(valid.status, 201, valid.text);
    assert.deepEqual(valid.body.warnings, []);
  });

  it('refuses XXE, entity expansion, malformed XML and JSON, and keeps the stored document', async () => {
    const external = await postXml(layer.metadata.native, xxe);
    assert.equal(external.status, 400, external.text);
    assert.ok(!external.text.includes('root:'), 'the response leaks /etc/passwd');
    const expansion = await postXml(layer.metadata.native, laughs);
    assert.equal(expansion.status, 400, expansion.text);
    const broken = await postXml(layer.metadata.native, malformed);
    assert.equal(broken.status, 400, broken.text);
    const notMetadata = await postXml(layer.metadata.native, '<?xml version="1.0"?><html><body>hello</body></html>');
    assert.equal(notMetadata.status, 400, notMetadata.text);
    const empty = await postXml(layer.metadata.native, '');
    assert.equal(empty.status, 400, empty.text);
    const json = await server.request('POST', layer.metadata.native, { body: { xml: uploadedDc } });
    assert.ok([400, 415].includes(json.status), `JSON body: ${json.status} ${json.text}`);

    assert.equal((await getXml(layer.metadata.native)).text, uploadedIso, 'a refused upload replaced the document');
  });

  it('lets a viewer read metadata once published, but never upload it', async () => {
    // The version is still a draft: for those who may edit, not for viewers.
    const read = await server.request('GET', layer.metadata.iso, { token: viewer.token });
    assert.equal(read.status, 404, read.text);
    const write = await postXml(layer.metadata.native, uploadedDc, viewer.token);
    assert.equal(write.status, 403, write.text);
    const anonymous = await server.request('GET', layer.metadata.iso, { token: null });
    assert.equal(anonymous.status, 404, 'a private layer is invisible to anonymous callers');
    const missing = await server.request('GET', `${layer.url}versions/999999/metadata/iso/`);
    assert.equal(missing.status, 404, missing.text);
  });

  it('refuses metadata on a published version with 409', async () => {
    const publish = await server.request('POST', `${layer.version.url}publish/`, { body: {} });
    assert.equal(publish.status, 201, publish.text);
    assert.equal(publish.body.state, 'completed', publish.text);
    const res = await postXml(layer.metadata.native, uploadedDc);
    assert.equal(res.status, 409, res.text);
    assert.equal((await getXml(layer.metadata.native)).text, uploadedIso, 'a published version never changes');
    const viewerRead = await server.request('GET', layer.metadata.iso, { token: viewer.token });
    assert.equal(viewerRead.status, 200, 'a viewer reads the published version');

    // Its generated Dublin Core is still served, well-formed.
    const dc = await getXml(layer.metadata.dc);
    assert.equal(xmllint(dc.text, null), null, dc.text);
  });
});
