/**
 * What an ISO 19139 (or ISO 19115-3) document says, in the detail a metadata record holds: its
 * parties and their roles, constraints, conformity, dates, links, extent and maintenance.
 * Read by local names, so both schemas' encodings (gmd, and mdb/mri/cit) are understood where
 * their element names agree.
 */
import { boxFrom, descendants, firstText, path, texts, toNumber, union, type XmlNode } from './xml-tree.js';

export interface IsoParty {
  individual: string | null;
  organisation: string | null;
  email: string | null;
  phone: string | null;
  fax: string | null;
  addressLines: string[];
  city: string | null;
  postalCode: string | null;
  country: string | null;
  role: string | null;
}

export interface IsoContent {
  /** MD_ScopeCode: dataset, series, service, nonGeographicDataset… */
  scope: string | null;
  /** MD_SpatialRepresentationTypeCode: vector, grid, textTable… */
  spatialType: string | null;
  title: string | null;
  abstract: string | null;
  purpose: string | null;
  /** ISO 639-2 code. */
  language: string | null;
  dates: Array<{ date: string; type: string }>;
  parties: IsoParty[];
  legal: Array<{ useLimitations: string[]; restrictions: string[]; others: string[] }>;
  security: Array<{ useLimitations: string[]; note: string | null }>;
  conformity: Array<{ title: string; date: string | null; pass: boolean | null }>;
  lineage: string | null;
  /** The lineage's process steps: what changed, and when. */
  steps: Array<{ description: string; date: string | null }>;
  links: Array<{ url: string; name: string | null; protocol: string | null; fn: string | null }>;
  format: { name: string; version: string | null } | null;
  /** The reference system's code, such as 2154 or EPSG:2154. */
  crs: string | null;
  extent: [number, number, number, number] | null;
  validFrom: string | null;
  validTo: string | null;
  frequency: { code: string | null; duration: string | null };
  scale: number | null;
  distance: number | null;
  supplemental: string | null;
  geometricObjects: { type: string | null; count: number | null };
}

const code = (node: XmlNode | undefined): string | null => {
  if (!node) return null;
  const coded = [node, ...descendants(node)].find((n) => n.attrs.has('codeListValue'));
  return coded?.attrs.get('codeListValue') || firstText(node);
};

const under = (node: XmlNode, local: string): XmlNode[] => [...descendants(node)].filter((n) => n.local === local);
const text1 = (nodes: XmlNode[]): string | null => texts(nodes)[0] ?? null;

function partyOf(node: XmlNode): IsoParty {
  // ISO 19139: CI_ResponsibleParty; ISO 19115-3: CI_Responsibility with CI_Organisation / CI_Individual parties.
  const individual = text1(path(node, 'individualName')) ?? text1(under(node, 'CI_Individual').flatMap((n) => path(n, 'name')));
  const organisation = text1(path(node, 'organisationName')) ?? text1(under(node, 'CI_Organisation').flatMap((n) => path(n, 'name')));
  const address = under(node, 'CI_Address')[0];
  const phone = under(node, 'CI_Telephone');
  const numberOf = (type: string) =>
    text1(phone.flatMap((p) => path(p, type))) ?? text1(phone.filter((p) => code(path(p, 'numberType')[0]) === type).flatMap((p) => path(p, 'number')));
  return {
    individual,
    organisation,
    email: address ? text1(path(address, 'electronicMailAddress')) : null,
    phone: numberOf('voice'),
    fax: numberOf('facsimile'),
    addressLines: address ? texts(path(address, 'deliveryPoint')) : [],
    city: address ? text1(path(address, 'city')) : null,
    postalCode: address ? text1(path(address, 'postalCode')) : null,
    country: address ? text1(path(address, 'country')) : null,
    role: code(path(node, 'role')[0]),
  };
}

/** A date as the document gives it, in a gco:Date or gco:DateTime (or 19115-3's equivalents). */
const dateIn = (node: XmlNode | undefined): string | null => (node ? text1([node]) : null);

export function readIsoContent(root: XmlNode): IsoContent {
  const identification = path(root, 'identificationInfo', '*')[0];
  const citation = identification ? path(identification, 'citation', 'CI_Citation')[0] : undefined;
  const within = (local: string) => (identification ? path(identification, local) : []);
  const constraints = within('resourceConstraints').flatMap((c) => c.children);
  const boxes = identification
    ? under(identification, 'EX_GeographicBoundingBox').map((box) => boxFrom(box, 'westBoundLongitude', 'southBoundLatitude', 'eastBoundLongitude', 'northBoundLatitude'))
    : [];
  const period = identification ? under(identification, 'TimePeriod')[0] : undefined;
  const position = (local: string) => {
    const node = period && [...descendants(period)].find((n) => n.local === local);
    return node?.text || null;
  };
  const maintenance = within('resourceMaintenance')[0];
  const resolution = identification ? under(identification, 'MD_Resolution') : [];
  const distribution = path(root, 'distributionInfo', '*')[0];
  const formats = distribution ? under(distribution, 'MD_Format') : [];
  const referenceCode = text1(path(root, 'referenceSystemInfo', '*', 'referenceSystemIdentifier', '*', 'code'));
  return {
    scope: code(path(root, 'hierarchyLevel')[0]) ?? code(under(root, 'MD_MetadataScope').flatMap((s) => path(s, 'resourceScope'))[0]),
    spatialType: code(within('spatialRepresentationType')[0]),
    title: citation ? text1(path(citation, 'title')) : null,
    abstract: text1(within('abstract')),
    purpose: text1(within('purpose')),
    language: code(path(root, 'language')[0]) ?? code(within('language')[0]) ?? code(under(root, 'defaultLocale')[0]),
    dates: citation
      ? path(citation, 'date', 'CI_Date').flatMap((d) => {
          const date = dateIn(path(d, 'date')[0]);
          const type = code(path(d, 'dateType')[0]);
          return date && type ? [{ date, type }] : [];
        })
      : [],
    parties: within('pointOfContact').flatMap((p) => p.children).map(partyOf),
    legal: constraints
      .filter((c) => c.local === 'MD_LegalConstraints')
      .map((c) => ({
        useLimitations: texts(path(c, 'useLimitation')),
        restrictions: [...path(c, 'accessConstraints'), ...path(c, 'useConstraints')].map(code).filter((v): v is string => v !== null),
        others: texts(path(c, 'otherConstraints')),
      })),
    security: constraints.filter((c) => c.local === 'MD_SecurityConstraints').map((c) => ({ useLimitations: texts(path(c, 'useLimitation')), note: text1(path(c, 'userNote')) })),
    conformity: under(root, 'DQ_ConformanceResult').flatMap((result) => {
      const spec = path(result, 'specification', 'CI_Citation')[0];
      const title = spec ? text1(path(spec, 'title')) : null;
      if (!title) return [];
      const pass = text1(path(result, 'pass'));
      return [{ title, date: spec ? dateIn(path(spec, 'date', 'CI_Date', 'date')[0]) : null, pass: pass === null ? null : pass === 'true' || pass === '1' }];
    }),
    lineage: text1(under(root, 'LI_Lineage').flatMap((l) => path(l, 'statement'))),
    steps: under(root, 'LI_ProcessStep').flatMap((step) => {
      const description = text1(path(step, 'description'));
      return description ? [{ description, date: text1(path(step, 'dateTime')) ?? text1(under(step, 'TM_Instant')) }] : [];
    }),
    links: (distribution ? under(distribution, 'CI_OnlineResource') : []).flatMap((resource) => {
      const url = text1(path(resource, 'linkage'));
      return url ? [{ url, name: text1(path(resource, 'name')), protocol: text1(path(resource, 'protocol')), fn: code(path(resource, 'function')[0]) }] : [];
    }),
    format: formats[0] ? { name: text1(path(formats[0], 'name')) ?? text1(under(formats[0], 'title')) ?? 'unknown', version: text1(path(formats[0], 'version')) } : null,
    crs: referenceCode,
    extent: union(boxes),
    validFrom: position('beginPosition'),
    validTo: position('endPosition'),
    frequency: {
      code: maintenance ? code(path(maintenance, '*', 'maintenanceAndUpdateFrequency')[0]) : null,
      duration: maintenance ? text1(path(maintenance, '*', 'userDefinedMaintenanceFrequency')) : null,
    },
    supplemental: text1(within('supplementalInformation')),
    geometricObjects: (() => {
      const objects = under(root, 'MD_GeometricObjects')[0];
      const count = objects ? toNumber(text1(path(objects, 'geometricObjectCount'))) : Number.NaN;
      return { type: objects ? code(path(objects, 'geometricObjectType')[0]) : null, count: Number.isInteger(count) && count >= 0 ? count : null };
    })(),
    scale: (() => {
      const value = toNumber(text1(resolution.flatMap((r) => under(r, 'denominator'))));
      return Number.isInteger(value) && value > 0 ? value : null;
    })(),
    distance: (() => {
      const value = toNumber(text1(resolution.flatMap((r) => path(r, 'distance'))));
      return Number.isFinite(value) && value > 0 ? value : null;
    })(),
  };
}
