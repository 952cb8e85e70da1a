/**
 * The OAuth2 token endpoint's grants (RFC 6749) and the Bearer tokens they give, for the
 * Metadata API. Three grants, as the Isogeo SDK uses them (`spec/metadata-wire.md`):
 * - `client_credentials`: a group application, for itself; read-only.
 * - `password`: a user application, for the user whose name and password it sends; with a
 *   refresh token.
 * - `refresh_token`: a new pair for a refresh token, which is used up. A group application
 *   sends this grant without one when its token expires, with only its id and secret, so it is
 *   answered as client credentials.
 * Tokens are random and stored as SHA-256 hashes, like `key` tokens.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { MapshelfError, type ErrorCode } from './errors.js';
import { keptActor, userActor } from './kept-actors.js';
import type { Application, OAuthToken } from './model/applications.js';
import { decoyHash, verifyPassword } from './passwords.js';
import type { Repositories } from './ports/store.js';
import { metadataScopes, type Scope } from './scopes.js';
import { hashSecret } from './tokens.js';

/** An access token's life: an hour, as Isogeo's (the SDK refreshes it before each call once it has passed). */
export const accessTokenSeconds = 3600;
/** A refresh token's life. Each use gives a new one, so a script that runs daily never signs in again. */
export const refreshTokenSeconds = 30 * 24 * 3600;

/** How the client authenticated: an HTTP Basic header, or `client_id` and `client_secret` in the form. */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  via: 'basic' | 'form';
}

export interface TokenRequest {
  /** Null when the request carried neither; the http face has already refused a malformed Basic header. */
  client: ClientCredentials | null;
  /** The form's fields, each at most once (the face refuses repeats). */
  form: ReadonlyMap<string, string>;
}

/** RFC 6749 section 5.1. */
export interface TokenAnswer {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

type OAuthCode = Extract<ErrorCode, 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope'>;

function oauthError(code: OAuthCode, detail: string, client?: ClientCredentials | null): MapshelfError {
  // RFC 6749 5.2: a client that authenticated with a Basic header is told how, with its 401.
  return new MapshelfError(code, detail, code === 'invalid_client' && client?.via === 'basic' ? { headers: { 'WWW-Authenticate': 'Basic realm="mapshelf"' } } : {});
}

/** A token as the client sees it: 256 random bits. */
function newToken(): string {
  return randomBytes(32).toString('base64url');
}

const sameHash = (a: string, b: string) => timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

async function authenticateClient(repos: Repositories, client: ClientCredentials | null): Promise<Application> {
  if (client === null) {
    throw oauthError('invalid_client', "The client did not authenticate: send 'Authorization: Basic base64(client_id:client_secret)', or client_id and client_secret in the form.");
  }
  const application = await repos.applications.findByClientId(client.clientId);
  const hash = hashSecret(client.clientSecret);
  if (!application || !sameHash(application.secret_hash, hash)) {
    throw oauthError('invalid_client', 'The client id is unknown or the client secret is wrong.', client);
  }
  return application;
}

/** The scopes asked for (all the application's when none are), which must be within what the application and its user hold. */
function grantedScopes(application: Application, requested: string | undefined, userIsAdmin: boolean): Scope[] {
  const known = new Set<string>(metadataScopes);
  // `admin` reaches only an admin user, through a user application that carries it.
  const allowed = application.scopes.filter((s): s is Scope => known.has(s) && (s !== 'admin' || (application.type === 'user' && userIsAdmin)));
  if (requested === undefined || requested.trim() === '') return allowed;
  const asked = [...new Set(requested.split(/\s+/).filter(Boolean))];
  const beyond = asked.filter((s) => !allowed.includes(s as Scope));
  if (beyond.length > 0) throw oauthError('invalid_scope', `This application may not grant ${beyond.join(', ')}; it grants: ${allowed.join(' ') || 'nothing'}.`);
  return asked as Scope[];
}

/** Stores the new tokens, in the caller's transaction. */
async function issue(repos: Repositories, ctx: DomainContext, application: Application, userId: number | null, scopes: readonly Scope[]): Promise<TokenAnswer> {
  const now = ctx.now().getTime();
  const at = timestamp(ctx);
  const scope = scopes.join(' ');
  // Every grant sweeps what has expired: tokens can't pile up, with no job to run.
  await repos.applications.deleteExpiredTokens(at);
  const access = newToken();
  const base = { application_id: application.id, user_id: userId, scope, created_at: at };
  await repos.applications.createToken({ ...base, kind: 'access', token_hash: hashSecret(access), expires_at: new Date(now + accessTokenSeconds * 1000).toISOString() });
  const answer: TokenAnswer = { access_token: access, token_type: 'bearer', expires_in: accessTokenSeconds, scope };
  if (userId !== null) {
    const refresh = newToken();
    await repos.applications.createToken({ ...base, kind: 'refresh', token_hash: hashSecret(refresh), expires_at: new Date(now + refreshTokenSeconds * 1000).toISOString() });
    answer.refresh_token = refresh;
  }
  return answer;
}

function required(form: ReadonlyMap<string, string>, name: string): string {
  const value = form.get(name);
  if (value === undefined || value === '') throw oauthError('invalid_request', `The form lacks ${name}.`);
  return value;
}

async function clientCredentials(ctx: DomainContext, application: Application, request: TokenRequest): Promise<TokenAnswer> {
  if (application.type !== 'group') {
    throw oauthError('unauthorized_client', 'Client credentials are for group applications; a user application signs its users in with the password grant.');
  }
  const scopes = grantedScopes(application, request.form.get('scope'), false);
  return ctx.store.transaction((repos) => issue(repos, ctx, application, null, scopes));
}

async function passwordGrant(ctx: DomainContext, application: Application, request: TokenRequest): Promise<TokenAnswer> {
  if (application.type !== 'user') {
    throw oauthError('unauthorized_client', 'The password grant is for user applications; a group application uses client_credentials.');
  }
  const username = required(request.form, 'username');
  const password = required(request.form, 'password');
  const user = await ctx.store.users.findByUsername(username);
  const stored = user?.is_active ? ((await ctx.store.applications.account(user.id))?.password_hash ?? undefined) : undefined;
  // Compared against a decoy when there is nothing to compare with: unknown names take as long as known ones.
  // Outside any transaction: a hash takes tens of milliseconds, and SQLite's transactions hold its one write lock.
  const matches = await verifyPassword(password, stored ?? decoyHash);
  if (!user || !user.is_active || stored === undefined || !matches) throw oauthError('invalid_grant', 'The username or password is wrong.');
  const scopes = grantedScopes(application, request.form.get('scope'), user.is_admin);
  return ctx.store.transaction((repos) => issue(repos, ctx, application, user.id, scopes));
}

async function refreshGrant(ctx: DomainContext, application: Application, request: TokenRequest): Promise<TokenAnswer> {
  const refresh = request.form.get('refresh_token');
  if (refresh === undefined || refresh === '') {
    if (application.type === 'group') return clientCredentials(ctx, application, request);
    throw oauthError('invalid_request', 'The form lacks refresh_token.');
  }
  const now = ctx.now().getTime();
  return ctx.store.transaction(async (repos) => {
    const token = await repos.applications.findToken(hashSecret(refresh), 'refresh');
    if (!token || token.application_id !== application.id) throw oauthError('invalid_grant', 'The refresh token is unknown, was used already, or belongs to another client. Sign in again.');
    if (Date.parse(token.expires_at) <= now) throw oauthError('invalid_grant', `The refresh token expired at ${token.expires_at}. Sign in again.`);
    const user = token.user_id === null ? undefined : await repos.users.findById(token.user_id);
    if (!user || !user.is_active) throw oauthError('invalid_grant', 'The refresh token belongs to a deactivated user.');
    const scopes = grantedScopes(application, request.form.get('scope') ?? token.scope, user.is_admin);
    // Used up in the same transaction: of two requests with one refresh token, only one gets a new pair.
    if (!(await repos.applications.deleteToken(token.id))) throw oauthError('invalid_grant', 'The refresh token was used already. Sign in again.');
    return issue(repos, ctx, application, user.id, scopes);
  });
}

const grants = new Map([
  ['client_credentials', clientCredentials],
  ['password', passwordGrant],
  ['refresh_token', refreshGrant],
]);

/** Answers a token request, or throws an error with an RFC 6749 code. */
export async function grantToken(ctx: DomainContext, request: TokenRequest): Promise<TokenAnswer> {
  const grantType = request.form.get('grant_type');
  if (grantType === undefined || grantType === '') throw oauthError('invalid_request', 'The form lacks grant_type.');
  const grant = grants.get(grantType);
  if (!grant) throw oauthError('unsupported_grant_type', `The grant type must be client_credentials, password or refresh_token, not ${JSON.stringify(grantType.slice(0, 50))}.`);
  return grant(ctx, await authenticateClient(ctx.store, request.client), request);
}

const expired = (at: string) => new MapshelfError('token_expired', `The access token expired at ${at}. Get a new one from the token endpoint.`);

function parseTokenScopes(scope: string): Scope[] {
  const known = new Set<string>(metadataScopes);
  return scope.split(' ').filter((s): s is Scope => known.has(s));
}

async function applicationActor(ctx: DomainContext, token: OAuthToken): Promise<Actor> {
  const application = await ctx.store.applications.findById(token.application_id);
  if (!application) throw new MapshelfError('invalid_token', 'The access token is not valid: its application was deleted.');
  const groups = await ctx.store.applications.groupIds(application.id);
  return Object.freeze({
    kind: 'application',
    application: Object.freeze({ id: application.id, uid: application.uid, name: application.name }),
    scopes: Object.freeze(parseTokenScopes(token.scope)),
    groups: Object.freeze(groups),
  });
}

/** Resolves a Bearer access token to its actor, or throws 401. */
export async function authenticateBearer(ctx: DomainContext, secret: string): Promise<Actor> {
  const hash = hashSecret(secret);
  return keptActor(ctx, hash, expired, async (now) => {
    const token = await ctx.store.applications.findToken(hash, 'access');
    if (!token || !sameHash(token.token_hash, hash)) throw new MapshelfError('invalid_token', 'The access token is not valid. Get a new one from the token endpoint.');
    if (Date.parse(token.expires_at) <= now) throw expired(token.expires_at);
    const actor =
      token.user_id === null ? await applicationActor(ctx, token) : await userActor(ctx, token.user_id, null, parseTokenScopes(token.scope), 'access token');
    return { actor, expiresAt: Date.parse(token.expires_at), freshUntil: Infinity };
  });
}
