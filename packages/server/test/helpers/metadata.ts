/**
 * Talking to the Metadata API as the Isogeo Python SDK does (`spec/metadata-wire.md`): its token
 * requests, Bearer calls, and the keys its strict models accept.
 */
import assert from 'node:assert/strict';
import { createApplicationOffline, setPasswordOffline } from '../../src/index.js';
import { createUserWithToken, type ApiResponse, type TestServer } from './server.js';

/** What requests-oauthlib sends to the token URL. */
export const formHeaders = { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' };
export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

/** A token request, as the SDK sends it; `headers` add a Basic header or a stale Bearer one. */
export function tokenRequest(server: TestServer, form: Record<string, string>, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return server.request('POST', '/oauth/token', { token: null, headers: { ...formHeaders, ...headers }, raw: new URLSearchParams(form).toString() });
}

/** An access token for a group application, or for a user through a user application. */
export async function accessToken(server: TestServer, client: Credentials, user?: { username: string; password: string }): Promise<string> {
  const form = user ? { grant_type: 'password', ...user } : { grant_type: 'client_credentials' };
  const res = await tokenRequest(server, form, { authorization: basic(client.clientId, client.clientSecret) });
  assert.equal(res.status, 200, res.text);
  return res.body.access_token;
}

/** A call under /metadata/v1/ with a Bearer token (or none). */
export function metadataCall(server: TestServer, method: string, path: string, bearer: string | null, body?: unknown): Promise<ApiResponse> {
  return server.request(method, `/metadata/v1/${path}`, { token: null, ...(bearer !== null && { headers: { authorization: `Bearer ${bearer}` } }), ...(body !== undefined && { body }) });
}

/** The keys the SDK's models accept (`Model(**json)` refuses any other). */
export const wireKeys = {
  user: ['_abilities', '_created', '_id', '_modified', 'contact', 'language', 'mailchimp', 'memberships', 'staff', 'timezone'],
  contact: ['_abilities', '_deleted', '_id', '_tag', 'addressLine1', 'addressLine2', 'addressLine3', 'available', 'city', 'count', 'countryCode', 'email', 'fax', 'hash', 'name', 'organization', 'owner', 'phone', 'type', 'zipCode', 'created', 'modified'],
  workgroup: ['_abilities', '_created', '_id', '_modified', '_tag', 'areKeywordsRestricted', 'canCreateLegacyServiceLinks', 'canCreateMetadata', 'code', 'contact', 'hasCswClient', 'hasScanFme', 'hasFlashScan', 'hasNewScriptScan', 'hasAGSScan', 'baseMapUrl', 'isMultilingual', 'availableLanguages', 'keywordsCasing', 'limits', 'metadataLanguage', 'themeColor'],
  application: ['_abilities', '_created', '_id', '_modified', 'canHaveManyGroups', 'client_id', 'client_secret', 'groups', 'kind', 'name', 'redirect_uris', 'scopes', 'staff', 'type', 'url'],
} as const;

/** `2019-05-17T13:01:08.559000+00:00`, the form the SDK parses. */
export const wireTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;

export function assertKeysWithin(object: Record<string, unknown>, allowed: readonly string[], what: string): void {
  const extra = Object.keys(object).filter((key) => !allowed.includes(key));
  assert.deepEqual(extra, [], `${what} has keys the SDK refuses`);
}

/** Two workgroups and the people in them, each signed in through a user application. */
export interface SurveyPeople {
  /** Data API group ids, and the workgroups' uids. */
  surveyId: number;
  survey: string;
  elsewhere: string;
  /** Bearer tokens: the site admin; an editor and a reader of Survey; an editor of Elsewhere. */
  admin: string;
  editor: string;
  reader: string;
  outsider: string;
  /** Survey's group application, with client credentials. */
  app: string;
}

/**
 * The people most Metadata API tests act as: workgroups Survey and Elsewhere, an editor and a
 * reader (a viewer) of Survey, an editor of Elsewhere, the site admin, and Survey's group
 * application, each with a Bearer token as the SDK gets one.
 */
export async function surveyPeople(server: TestServer): Promise<SurveyPeople> {
  const groups: Record<string, number> = {};
  for (const name of ['Survey', 'Elsewhere']) groups[name] = (await server.request('POST', 'groups/', { body: { name } })).body.id;
  const uidOf = async (id: number) => (await server.running.store.groups.findById(id))!.uid;
  const users: Credentials = await createApplicationOffline(server.running.store, { name: 'Survey scripts', type: 'user' });
  const group: Credentials = await createApplicationOffline(server.running.store, { name: 'Survey reader app', type: 'group', groupId: groups.Survey! });
  const signIn = async (name: string) => {
    await setPasswordOffline(server.running.store, name, `${name} password here`);
    return accessToken(server, users, { username: name, password: `${name} password here` });
  };
  for (const [name, groupId, role] of [['editor', groups.Survey!, 'editor'], ['reader', groups.Survey!, 'viewer'], ['outsider', groups.Elsewhere!, 'editor']] as const) {
    const user = await createUserWithToken(server, name, 'users:read');
    assert.equal((await server.request('POST', `groups/${groupId}/members/`, { body: { user: user.id, role } })).status, 201);
  }
  return {
    surveyId: groups.Survey!,
    survey: await uidOf(groups.Survey!),
    elsewhere: await uidOf(groups.Elsewhere!),
    admin: await signIn('admin'),
    editor: await signIn('editor'),
    reader: await signIn('reader'),
    outsider: await signIn('outsider'),
    app: await accessToken(server, group),
  };
}
