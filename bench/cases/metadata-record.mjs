// Case 7: one Metadata API record read whole. A record without data in a workgroup, with 50
// feature attributes, 10 contacts in roles and 20 other parts (8 events, 6 limitations, 6 links;
// keywords do not exist yet), read as JSON (`GET resources/{id}/?_include=all`) and as ISO 19139
// (`GET resources/{id}.xml`) with a Bearer token of the admin user: one client alone (latency),
// then 16 concurrent clients in rounds alternating with rounds of GET /health (throughput
// against what the HTTP stack alone does), and the server's peak RSS.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { load, loadText, medians, ms } from '../http-load.mjs';

// The command as `npx mapshelf` runs it, for its offline commands on the data folder.
const bin = new URL('../../packages/cli/bin/mapshelf.js', import.meta.url).pathname;
const password = 'bench admin password 7f3a9c21e4';

/** Metadata.to_dict_creation(): all 25 keys, null for anything unset. */
const json25 = (fields) => ({
  abstract: null, collectionContext: null, collectionMethod: null, distance: null, editionProfile: null, encoding: null, envelope: null, features: null,
  format: null, formatVersion: null, geoContext: null, geometry: null, language: null, name: null, path: null, precision: null, scale: null, series: null,
  title: null, topologicalConsistency: null, type: null, updateFrequency: null, validFrom: null, validTo: null, validityComment: null, ...fields,
});

const roles = ['author', 'pointOfContact', 'custodian', 'distributor', 'originator', 'owner', 'principalInvestigator', 'processor', 'publisher', 'resourceProvider'];
const dataTypes = ['integer', 'real', 'string', 'date', 'boolean'];
const restrictions = ['copyright', 'intellectualPropertyRights', 'license', 'other', 'patent', 'trademark'];

/** `mapshelf <args>` offline on the server's data folder (and database), with `input` on stdin. */
function cli(server, args, input) {
  const env = { ...process.env };
  delete env.MAPSHELF_DATABASE_URL;
  const store = server.database ? ['--database', server.database] : [];
  return execFileSync(bin, [...args, '--data-dir', server.dataDir, ...store], { env, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** A JSON call that must answer `status`; its body. */
async function call(url, { method = 'GET', auth, body, status = 200 }) {
  const res = await fetch(url, {
    method,
    headers: { authorization: auth, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status !== status) throw new Error(`${method} ${url}: ${res.status} (expected ${status}): ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

/** The record: created through the Metadata API as a client would, filled in; its uid. */
async function seedRecord(server, key, bearer) {
  const base = server.url;
  const group = await call(`${base}/services/api/v1/groups/`, { method: 'POST', auth: key, body: { name: 'Bench records' }, status: 201 });
  const workgroups = await call(`${base}/metadata/v1/groups/`, { auth: bearer });
  const wg = workgroups.find((w) => w.code === 'Bench records')?._id;
  if (!wg) throw new Error(`workgroup of group ${group.id} not listed: ${JSON.stringify(workgroups.map((w) => w.code))}`);
  const md = `${base}/metadata/v1/resources`;
  const record = await call(`${base}/metadata/v1/groups/${wg}/resources/`, {
    method: 'POST',
    auth: bearer,
    status: 201,
    body: json25({
      type: 'vectorDataset', title: 'Road centrelines (held elsewhere)', abstract: 'Road centrelines of the region, surveyed each year.', features: 48_200, geometry: 'MultiLineString', format: 'shp',
      envelope: { type: 'Polygon', coordinates: [[[172.5, -43.7], [172.8, -43.7], [172.8, -43.4], [172.5, -43.4], [172.5, -43.7]]] },
      language: 'en', scale: 10_000, updateFrequency: 'P1Y', validFrom: '2024-01-01', collectionMethod: 'GNSS and aerial imagery',
    }),
  });
  const id = record._id;
  for (let i = 0; i < 50; i++) {
    await call(`${md}/${id}/feature-attributes/`, {
      method: 'POST', auth: bearer, status: 201,
      body: { name: `field_${String(i).padStart(2, '0')}`, dataType: dataTypes[i % dataTypes.length], alias: `Field ${i}`, description: `What field ${i} holds, in a sentence or two & <escaped> "quotes".` },
    });
  }
  for (let i = 0; i < 10; i++) {
    const contact = await call(`${base}/metadata/v1/groups/${wg}/contacts/`, {
      method: 'POST', auth: bearer, status: 201,
      body: { name: `Contact ${i}`, email: `contact${i}@example.org`, organizationName: `Organisation ${i}`, phoneNumber: '+64 4 000 0000', addressLine1: `${i} Main St`, city: 'Wellington', zipCode: '6011', countryCode: 'NZ' },
    });
    await call(`${md}/${id}/contacts/${contact._id}/`, { method: 'PUT', auth: bearer, body: { role: roles[i] } });
  }
  // 20 other parts: 8 events (one creation, seven updates), 6 legal limitations, 6 links.
  await call(`${md}/${id}/events/`, { method: 'POST', auth: bearer, status: 201, body: { date: '2023-01-02', kind: 'creation', description: null } });
  for (let i = 1; i < 8; i++) {
    await call(`${md}/${id}/events/`, { method: 'POST', auth: bearer, status: 201, body: { date: `2024-0${i}-02`, kind: 'update', description: `Update ${i}: resurveyed` } });
  }
  for (const restriction of restrictions) {
    await call(`${md}/${id}/limitations/`, { method: 'POST', auth: bearer, status: 201, body: { type: 'legal', restriction, description: `Limited by ${restriction}` } });
  }
  for (let i = 0; i < 6; i++) {
    await call(`${md}/${id}/links/`, { method: 'POST', auth: bearer, status: 201, body: { type: 'url', kind: 'url', title: `Link ${i}`, url: `https://example.org/x/${i}`, actions: ['view'] } });
  }
  return id;
}

export default {
  id: 'metadata-record',
  title: 'Metadata API record read, JSON (?_include=all) and ISO 19139 (.xml), 50 attributes, 10 contacts, 20 other parts: 1 client (latency), 16 clients vs GET /health (throughput)',
  target: '1 client: median < 5 ms (JSON), < 15 ms (XML)',
  async run(ctx) {
    const clients = ctx.size('clients', { smoke: 4, quick: 16, full: 16 });
    const seconds = ctx.size('seconds', { smoke: 1, quick: 5, full: 10 });
    const key = `key ${ctx.token}`;
    // The first start makes the admin user (the bootstrap token's); the offline commands then give
    // it a password and a user application, and the second start serves them.
    const dataDir = join(ctx.dir, 'data');
    const database = await ctx.database();
    const first = await ctx.server([], dataDir, database);
    await first.stop();
    const app = JSON.parse(cli(first, ['applications', 'create', '--name', 'Bench', '--type', 'user', '--json']));
    cli(first, ['users', 'password', 'admin'], `${password}\n`);
    const server = await ctx.server([], dataDir, database);
    const tokenRes = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
        accept: 'application/json',
        authorization: `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'password', username: 'admin', password }).toString(),
    });
    if (tokenRes.status !== 200) throw new Error(`POST /oauth/token: ${tokenRes.status}: ${await tokenRes.text()}`);
    const bearer = `Bearer ${(await tokenRes.json()).access_token}`;
    const t = performance.now();
    const id = await seedRecord(server, key, bearer);
    ctx.log(`record ${id} filled in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const reads = {
      json: { url: `${server.url}/metadata/v1/resources/${id}/?_include=all`, headers: { authorization: bearer, accept: 'application/json' } },
      xml: { url: `${server.url}/metadata/v1/resources/${id}.xml`, headers: { authorization: bearer, accept: 'application/xml' } },
    };
    const health = { url: `${server.url}/health`, headers: { accept: 'application/json' } };
    // What the reads answer: everything the record holds, once.
    const full = await call(reads.json.url, { auth: bearer });
    const counts = { 'feature-attributes': 50, contacts: 10, events: 8, limitations: 6, links: 6 };
    for (const [part, n] of Object.entries(counts)) {
      if (full[part]?.length !== n) throw new Error(`the record answers ${full[part]?.length} ${part}, not ${n}`);
    }
    const xmlRes = await fetch(reads.xml.url, { headers: reads.xml.headers, redirect: 'manual' });
    const xml = await xmlRes.text();
    if (xmlRes.status !== 200 || !/^application\/xml/.test(xmlRes.headers.get('content-type') ?? '')) throw new Error(`GET ${reads.xml.url}: ${xmlRes.status}, ${xmlRes.headers.get('content-type')}`);
    // An event is a citation date there (CI_Date has no description).
    const missing = ['Contact 9', 'field_49', 'Limited by trademark', 'https://example.org/x/5', '2024-07-02'].filter((s) => !xml.includes(s));
    if (missing.length) throw new Error(`the ISO 19139 record lacks ${missing.join(', ')}`);
    const sizes = { json_bytes: Buffer.byteLength(JSON.stringify(full)), xml_bytes: Buffer.byteLength(xml) };
    ctx.log(`JSON ${sizes.json_bytes.toLocaleString('en')} bytes, XML ${sizes.xml_bytes.toLocaleString('en')} bytes`);

    // Warm-up: page cache and JIT.
    for (const r of [reads.json, reads.xml]) await load(r.url, r.headers, clients, Math.min(seconds, 5));
    server.rss.take();
    const rounds = { json1: [], xml1: [], health: [], json: [], xml: [] };
    for (let round = 0; round < ctx.runs; round++) {
      rounds.json1.push(await load(reads.json.url, reads.json.headers, 1, seconds));
      rounds.xml1.push(await load(reads.xml.url, reads.xml.headers, 1, seconds));
      rounds.health.push(await load(health.url, health.headers, clients, seconds));
      rounds.json.push(await load(reads.json.url, reads.json.headers, clients, seconds));
      rounds.xml.push(await load(reads.xml.url, reads.xml.headers, clients, seconds));
      const [j1, x1, h, j, x] = ['json1', 'xml1', 'health', 'json', 'xml'].map((k) => rounds[k].at(-1));
      ctx.log(
        `round ${round + 1}: 1 client JSON median ${ms(j1.median)}, p99 ${ms(j1.p99)}, XML median ${ms(x1.median)}, p99 ${ms(x1.p99)} · ${clients} clients: ` +
          `/health ${h.perSecond.toFixed(0)}/s, JSON ${loadText(j)}, XML ${loadText(x)} · ${j1.errors + x1.errors + h.errors + j.errors + x.errors} errors`,
      );
    }
    const errors = [...rounds.json1, ...rounds.xml1, ...rounds.json, ...rounds.xml].reduce((n, s) => n + s.errors, 0);
    if (errors) throw new Error(`${errors} record reads failed`);
    const rss = server.rss.take();
    const healthLoad = medians(rounds.health);
    const rows = [];
    for (const [format, name, max] of [['json', 'JSON ?_include=all', 5], ['xml', 'ISO 19139 .xml', 15]]) {
      const single = medians(rounds[`${format}1`]);
      const loaded = medians(rounds[format]);
      const ratio = +(loaded.perSecond / healthLoad.perSecond).toFixed(2);
      rows.push(
        {
          label: `${name}, 1 client`,
          mapshelf: `median ${ms(single.median)}, p99 ${ms(single.p99)}, ${single.perSecond.toFixed(0)}/s`,
          reference: '(latency)',
          // A single client's throughput against the 16-client /health: for the table, not a target.
          ratio: +(single.perSecond / healthLoad.perSecond).toFixed(2),
          rss,
          checks: [{ name: 'median', value: ms(single.median), target: `< ${max} ms`, ok: single.median < max }],
          data: { rounds: rounds[`${format}1`], bytes: sizes[`${format}_bytes`] },
        },
        {
          label: `${name}, ${clients} clients`,
          mapshelf: loadText(loaded),
          reference: `/health ${loadText(healthLoad)}`,
          ratio,
          rss,
          checks: [],
          notes: `median latency × ${(loaded.median / healthLoad.median).toFixed(2)} that of /health`,
          data: { rounds: { [format]: rounds[format], health: rounds.health } },
        },
      );
    }
    return rows;
  },
};
