/**
 * The Metadata API over HTTPS, as the Isogeo SDK reaches it with `platform="custom"`: every URL
 * is `https://{api_url}/{route}/?_lang=fr`, certificates are not verified (`verify=False`, so a
 * self-signed one works), the token request is a form with the SDK's headers, and some routes
 * come with a double slash.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApplicationOffline, setPasswordOffline } from '../src/index.js';
import { basic, formHeaders } from './helpers/metadata.js';
import { selfSignedCertificate } from './helpers/tls.js';
import { startTestServer, type TestServer } from './helpers/server.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** A request as `requests` sends it with `verify=False`: TLS without checking the certificate. */
function call(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, headers: { 'user-agent': 'isogeo-pysdk/3.9.0', ...headers }, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, text, json: (res.headers['content-type'] ?? '').includes('json') ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Metadata API over HTTPS, as the Isogeo SDK calls it', () => {
  let work: string;
  let server: TestServer;
  let api: string;
  let bearer: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-metadata-https-'));
    const { cert, key } = selfSignedCertificate(work);
    server = await startTestServer({ tlsCert: cert, tlsKey: key });
    assert.match(server.url, /^https:\/\//);
    api = `${server.url}/metadata/v1`;
    const users = await createApplicationOffline(server.running.store, { name: 'Isogeo scripts', type: 'user' });
    await setPasswordOffline(server.running.store, 'admin', 'admin password here');
    const token = await call(`${server.url}/oauth/token`, 'POST', { ...formHeaders, authorization: basic(users.clientId, users.clientSecret) }, new URLSearchParams({ grant_type: 'password', username: 'admin', password: 'admin password here' }).toString());
    assert.equal(token.status, 200, token.text);
    assert.equal(token.json.token_type, 'bearer');
    assert.ok(token.json.expires_in > 0 && typeof token.json.refresh_token === 'string');
    bearer = token.json.access_token;
  });
  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const get = (route: string) => call(`${api}/${route}?_lang=fr`, 'GET', { authorization: `Bearer ${bearer}`, accept: 'application/json' });

  it('connects (account with abilities), makes a workgroup and a record, and reads them back with the SDK URLs', async () => {
    const account = await get('account/');
    assert.equal(account.status, 200, account.text);
    assert.equal(account.json.staff, true);
    const group = await call(`${api}/groups/?_lang=fr`, 'POST', { authorization: `Bearer ${bearer}`, 'content-type': 'application/x-www-form-urlencoded' }, 'contact.name=Secure+survey');
    assert.equal(group.status, 201, group.text);
    const wg = group.json._id as string;
    const created = await call(`${api}/groups/${wg}/resources/?_lang=fr`, 'POST', { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, JSON.stringify({ type: 'resource', title: 'Over TLS', abstract: null, series: null }));
    assert.equal(created.status, 201, created.text);
    const id = created.json._id as string;
    const event = await call(`${api}/resources/${id}/events/?_lang=fr`, 'POST', { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, JSON.stringify({ date: '2024-06-01', description: 'First edition', kind: 'publication' }));
    assert.equal(event.status, 201, event.text);

    const record = await get(`resources/${id}/?_include=events,_creator&`);
    assert.equal(record.status, 200, record.text);
    assert.equal(record.json.title, 'Over TLS');
    assert.equal(record.json._creator._id, wg);
    assert.equal(record.json.events[0].kind, 'publication');
    // The SDK's listings come with a double slash; its workgroup calls start with one.
    assert.equal((await get(`resources/${id}/links//`)).status, 200);
    assert.equal((await call(`${api}//groups/${wg}/memberships/?_lang=fr`, 'GET', { authorization: `Bearer ${bearer}` })).status, 200);
    const xml = await call(`${api}/resources/${id}.xml/?_lang=fr`, 'GET', { authorization: `Bearer ${bearer}` });
    assert.equal(xml.status, 200);
    assert.match(xml.text, /<gmd:MD_Metadata[\s\S]*Over TLS/);
    // Plain HTTP to the TLS port is refused rather than answered in the clear.
    const plain = await fetch(`${server.url.replace('https:', 'http:')}/metadata/v1/`).then((res) => res.status, () => 'refused');
    assert.notEqual(plain, 200);
  });
});
