/**
 * The authorization matrix: every GET route in the served OpenAPI document × every principal.
 * The routes come from the document, so a new route joins the matrix by itself; what each
 * principal should get comes from the small rule tables below, never from per-route lists.
 * A path parameter no table knows how to fill fails the route, so a new kind of object gets a
 * seed before it ships.
 */
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { startTestServer, type ApiResponse } from '../helpers/server.js';
import { brief, pool, seedWorld, viewsGroupA, type Principal, type SeededWorld } from './principals.js';

const v1 = '/services/api/v1';

// ---- Rules -------------------------------------------------------------------------------

/** Routes anonymous callers may call (everything else: 401). First match wins. */
const anonymousRules: Array<[RegExp, 'public' | 'optional']> = [
  [/^\/health$/, 'public'],
  [/^\/services\/api\/v1\/$/, 'public'],
  [/^\/services\/api\/v1\/openapi\.json$/, 'public'],
  // Catalog reads: anonymous callers act as group.everyone. Permission lists are for item admins.
  [/^\/services\/api\/v1\/(layers|tables|sets|documents)\/(?!.*\/permissions\/)/, 'optional'],
  [/^\/services\/api\/v1\/(data|licenses)\//, 'optional'],
];

/** Who may view an object: those it must be shown to, and those it must be hidden from (404). */
interface Audience {
  label: string;
  sees: (p: Principal) => boolean;
  hidden: (p: Principal) => boolean;
  /** Whether the object carries the private marker. */
  private: boolean;
}

const groupAAudience: Audience = { label: 'group A', sees: viewsGroupA, hidden: (p) => !viewsGroupA(p), private: true };
const everyone: Audience = { label: 'everyone', sees: () => true, hidden: () => false, private: false };
const ownedBy = (userId: number, label: string, isPrivate: boolean): Audience => ({
  label,
  sees: (p) => p.siteAdmin || p.userId === userId,
  hidden: (p) => !p.siteAdmin && p.userId !== userId,
  private: isPrivate,
});
const membersOfB: Audience = { label: 'group B', sees: (p) => p.siteAdmin || p.inB, hidden: (p) => !p.siteAdmin && !p.inB, private: false };

/** One way to fill a route's path parameters, and who may view what they name. */
interface Fill {
  params: Record<string, string | number>;
  audience: Audience;
}

/**
 * Path parameters by the collection the route belongs to (the path after /v1/, up to `{id}`).
 * Own objects (the caller's user, token) are filled per principal.
 */
function fillsFor(collection: string, w: SeededWorld, p: Principal): Fill[] {
  const viewer = w.by.viewer!;
  switch (collection) {
    case 'users': {
      const fills: Fill[] = [{ params: { id: viewer.userId! }, audience: groupAAudience }];
      if (p.userId !== null) fills.push({ params: { id: p.userId }, audience: ownedBy(p.userId, 'self', false) });
      return fills;
    }
    case 'groups':
      return [
        { params: { id: w.groupA, userId: viewer.userId! }, audience: groupAAudience },
        { params: { id: w.groupB, userId: w.by.memberOfB!.userId! }, audience: membersOfB },
      ];
    case 'tokens': {
      const editor = w.by.editor!;
      const fills: Fill[] = [{ params: { id: editor.tokenId! }, audience: ownedBy(editor.userId!, "the editor's token", false) }];
      if (p.tokenId !== null) fills.push({ params: { id: p.tokenId }, audience: ownedBy(p.userId!, 'own token', false) });
      return fills;
    }
    case 'sources':
      return [
        {
          params: { id: w.source.id, scanId: w.source.scanId, datasourceId: w.source.datasourceId, principal: `user.${viewer.userId}` },
          audience: groupAAudience,
        },
      ];
    case 'layers':
      return [
        { params: { id: w.privateLayer.id, versionId: w.privateLayer.version.id, principal: `user.${viewer.userId}` }, audience: groupAAudience },
        { params: { id: w.publicLayer.id, versionId: w.publicLayer.version.id, principal: 'group.everyone' }, audience: everyone },
      ];
    case 'tables':
      return [{ params: { id: w.table.id, versionId: w.table.version.id, principal: `user.${viewer.userId}` }, audience: groupAAudience }];
    case 'sets':
      return [{ params: { id: w.set.id, versionId: w.set.versionId, principal: `user.${viewer.userId}` }, audience: groupAAudience }];
    case 'documents':
      return [{ params: { id: w.document.id, principal: `user.${viewer.userId}` }, audience: groupAAudience }];
    case 'publish':
      // Publish requests are their maker's (the site admin published everything in the seed).
      return w.publishRequest ? [{ params: { id: w.publishRequest.id }, audience: ownedBy(w.by.siteAdmin!.userId!, "the site admin's publish request", false) }] : [];
    case 'exports':
      return [{ params: { id: w.exportJob.id }, audience: ownedBy(w.exportJob.owner, "the editor's export", true) }];
    case 'exports/croplayers':
      // Made from the private layer: group A must see it; whether others see the crop layer itself
      // is open (refineAudience hides its features from them).
      return [{ params: { id: w.cropLayer.id, fid: w.cropLayer.featureId }, audience: { ...groupAAudience, label: 'group A (crop layer)', hidden: () => false } }];
    case 'licenses':
      return [{ params: { id: w.license.id, slug: w.license.slug, jurisdiction: w.license.jurisdiction }, audience: everyone }];
    default:
      return [];
  }
}

/** Sub-routes that show more than their parent: crop features show the private layer's polygons. */
function refineAudience(template: string, fill: Fill): Audience {
  if (/\/croplayers\/\{id\}\/cropfeatures\//.test(template)) return groupAAudience;
  return fill.audience;
}

/** The detail route of a top-level object: whoever `sees` it gets a 200. */
const detailRoute = /^\/services\/api\/v1\/(?:exports\/croplayers|[a-z]+)\/\{id\}\/$/;

// ---- The world ---------------------------------------------------------------------------

const server = await startTestServer();
const world = await seedWorld(server);
after(() => server.close());

const openapi = (await server.request('GET', `${v1}/openapi.json`, { token: null })).body as {
  security?: Array<Record<string, unknown>>;
  paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }>; security?: Array<Record<string, unknown>> }>>;
};
const getRoutes = Object.entries(openapi.paths)
  .filter(([, ops]) => ops.get)
  .map(([template, ops]) => ({
    template,
    query: (ops.get!.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name),
    pathParams: (ops.get!.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name),
    // An operation's own `security` overrides the document's; `[]` or a `{}` entry lets anyone in.
    anonymousInDoc: ((security) => security.length === 0 || security.some((s) => Object.keys(s).length === 0))(ops.get!.security ?? openapi.security ?? []),
  }));

/** List routes whose OPTIONS description offers `Expand: list` (others refuse the header). */
const offersListExpansion = new Set<string>();

function collectionOf(template: string): string {
  const rest = template.slice(v1.length + 1);
  return rest.startsWith('exports/croplayers/') ? 'exports/croplayers' : rest.split('/')[0]!;
}

/** One request of the matrix. */
interface Probe {
  path: string;
  headers: Record<string, string>;
  audience: Audience | null;
  /** A list filtered by the marker (q, title.icontains, …). */
  search: boolean;
}

function probesFor(route: (typeof getRoutes)[number], p: Principal): Probe[] | string {
  const isList = route.query.includes('page_size');
  const fills: Array<Fill | null> = route.pathParams.length === 0 ? [null] : fillsFor(collectionOf(route.template), world, p);
  if (fills.length === 0) return `no seed fills the path parameters of ${route.template}: add its collection to fillsFor()`;
  const probes: Probe[] = [];
  for (const fill of fills) {
    let path = route.template;
    for (const name of route.pathParams) {
      const value = fill?.params[name];
      if (value === undefined) return `no seed value for {${name}} in ${route.template}: add it to fillsFor()`;
      path = path.replace(`{${name}}`, encodeURIComponent(String(value)));
    }
    const audience = fill ? refineAudience(route.template, fill) : null;
    probes.push({ path, headers: {}, audience, search: false });
    if (isList) {
      const expand: Record<string, string> = offersListExpansion.has(route.template) ? { expand: 'list' } : {};
      if (expand.expand) probes.push({ path, headers: expand, audience, search: false });
      for (const filter of ['q', 'title.icontains', 'name.icontains', 'first_name.icontains', 'username.icontains']) {
        if (route.query.includes(filter)) {
          probes.push({ path: `${path}?${filter}=${encodeURIComponent(world.marker)}`, headers: expand, audience, search: true });
        }
      }
    }
  }
  return probes;
}

for (const route of getRoutes.filter((r) => r.query.includes('page_size'))) {
  const probes = probesFor(route, world.by.siteAdmin!);
  if (typeof probes === 'string') continue;
  const described = await server.request('OPTIONS', probes[0]!.path);
  if ((described.body?.expansions ?? []).includes('list')) offersListExpansion.add(route.template);
}

interface Outcome {
  principal: Principal;
  probe: Probe;
  res: ApiResponse;
}

function anonymousRule(template: string): 'public' | 'optional' | 'required' {
  return anonymousRules.find(([pattern]) => pattern.test(template))?.[1] ?? 'required';
}

/** Every way one answer breaks the rules, for one principal. */
function violations(template: string, o: Outcome, requiredScopes: Set<string> | null): string[] {
  const { principal: p, probe, res } = o;
  const out: string[] = [];
  const where = `${p.name} GET ${probe.path}${probe.headers.expand ? ' (Expand: list)' : ''}`;
  const fail = (why: string) => out.push(`${where}: ${why}; got ${brief(res)}`);
  if (res.status >= 500) fail('a 5xx');

  const anon = anonymousRule(template);
  const scopeRefused = res.status === 403 && res.body?.code === 'invalid_token_scope';
  let reachesHandler = true;
  if (p.token === null) {
    if (anon === 'required') {
      if (res.status !== 401) fail('anonymous callers must get 401');
      reachesHandler = false;
    } else if (res.status === 401) fail(`the route is ${anon}: anonymous callers get in`);
  } else if (anon !== 'public' && requiredScopes !== null) {
    const holds = p.onlyScope === undefined ? [...requiredScopes].some((s) => s !== 'admin') : requiredScopes.has(p.onlyScope);
    if (!holds) {
      if (!scopeRefused) fail(`a token without ${[...requiredScopes].join('/')} must get 403 invalid_token_scope`);
      reachesHandler = false;
    } else if (scopeRefused) fail('the token holds a scope the route accepts, yet got invalid_token_scope');
  }

  // Nothing private reaches those who may not view group A's items: not in the body, nor a header.
  if (!viewsGroupA(p)) {
    if (res.text.includes(world.marker)) fail('the private marker is in the body');
    // A search's Link header echoes the caller's own query; any other header must not carry the marker.
    res.headers.forEach((value, name) => {
      if (value.includes(world.marker) && !(probe.search && name === 'link')) fail(`the private marker is in the ${name} header`);
    });
  }
  if (probe.audience && reachesHandler) {
    if (probe.audience.hidden(p) && res.status !== 404) fail(`an object only ${probe.audience.label} may view must be 404 to others`);
    if (probe.audience.sees(p) && detailRoute.test(template) && res.status !== 200) fail(`${probe.audience.label} may view it: expected 200`);
  }
  // Counts match what is listed.
  const range = res.headers.get('x-resource-range');
  if (res.status === 200 && Array.isArray(res.body) && range) {
    const total = Number(/\/(\d+)$/.exec(range)?.[1]);
    const hasNext = (res.headers.get('link') ?? '').includes('page-next');
    if (!hasNext && total !== res.body.length) fail(`X-Resource-Range total ${total} but ${res.body.length} listed`);
    if (probe.search && !viewsGroupA(p) && (total !== 0 || res.body.length !== 0)) fail('a search for the private marker found something');
  }
  return out;
}

// ---- The matrix --------------------------------------------------------------------------

describe('authorization matrix: every GET route × every principal', () => {
  it('covers the whole API', () => {
    assert.ok(getRoutes.length >= 60, `only ${getRoutes.length} GET routes in the OpenAPI document`);
    assert.ok(world.principals.length >= 8 + 20, `${world.principals.length} principals`);
  });

  it('the OpenAPI document says anonymous callers may call exactly the routes the rules allow', () => {
    const wrong = getRoutes
      .filter((r) => r.anonymousInDoc !== (anonymousRule(r.template) !== 'required'))
      .map((r) => `${r.template}: document says ${r.anonymousInDoc ? 'anonymous allowed' : 'token required'}, rules say ${anonymousRule(r.template)}`);
    assert.deepEqual(wrong, []);
  });

  for (const route of getRoutes) {
    if (route.template === `${v1}/openapi.json`) continue;
    it(`GET ${route.template}`, async () => {
      const problems: string[] = [];
      const tasks: Array<() => Promise<Outcome>> = [];
      for (const principal of world.principals) {
        const probes = probesFor(route, principal);
        if (typeof probes === 'string') {
          problems.push(probes);
          break;
        }
        for (const probe of probes) {
          tasks.push(async () => ({
            principal,
            probe,
            res: await server.request('GET', probe.path, { token: principal.token, headers: probe.headers }),
          }));
        }
      }
      const outcomes = await pool(8, tasks);
      // The scopes the route accepts, as its refusals name them; null if no token was refused.
      const refusals = outcomes.filter((o) => o.res.status === 403 && o.res.body?.code === 'invalid_token_scope');
      const required = refusals.length ? new Set<string>(refusals.flatMap((o) => o.res.body.required_scopes as string[])) : null;
      for (const o of outcomes) problems.push(...violations(route.template, o, required));
      if (process.env.MATRIX_DUMP) {
        appendFileSync(process.env.MATRIX_DUMP, outcomes.map((o) => `${o.res.status} ${o.principal.name} ${o.probe.path}${o.probe.headers.expand ? ' +expand' : ''}\n`).join(''));
      }
      assert.deepEqual(problems, [], `${problems.length} problems:\n${problems.join('\n')}`);
    });
  }

  it('site admin and group A members do see the private items (the marker is findable)', async () => {
    const who = ['siteAdmin', 'groupAdmin', 'editor', 'viewer'].map((n) => world.by[n]!);
    const lists = ['layers/', 'tables/', 'sets/', 'documents/', 'sources/', 'data/', `data/?q=${encodeURIComponent(world.marker)}`, `exports/croplayers/${world.cropLayer.id}/cropfeatures/`];
    const missing: string[] = [];
    for (const p of who) {
      for (const list of lists) {
        const res = await server.request('GET', list, { token: p.token });
        if (res.status !== 200 || !res.text.includes(world.marker)) missing.push(`${p.name} ${list}: ${brief(res)}`);
      }
    }
    const exp = await server.request('GET', `exports/${world.exportJob.id}/`, { token: world.by.editor!.token });
    if (!exp.text.includes(world.marker)) missing.push(`editor exports/${world.exportJob.id}/: ${brief(exp)}`);
    assert.deepEqual(missing, []);
  });
});
