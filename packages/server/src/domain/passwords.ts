/**
 * Users' passwords, for the Metadata API's OAuth2 password grant: scrypt (RFC 7914) from
 * node:crypto, with a random salt per password, stored as `scrypt$logN$r$p$salt$hash` so that
 * stronger parameters can come later without breaking stored hashes. Never returned anywhere.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { invalidInput } from './errors.js';

/** 2^15 × 8 × 128 bytes = 32 MiB and about 50-100 ms a hash on this class of machine: OWASP's scrypt minimum is 2^17 × 8 × 1 at 128 MiB, or 2^15 with more p; we take p = 3. */
const params = { logN: 15, r: 8, p: 3 };
const keyLength = 32;
const minLength = 10;
const maxLength = 1024;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 2 ** logN * r * 256 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** Refuses passwords too short to resist guessing, or long enough to be a denial of service. */
export function checkPassword(password: unknown, location = 'password'): string {
  if (typeof password !== 'string') throw invalidInput(location, 'must be a string', 'invalid_body');
  if ([...password].length < minLength) throw invalidInput(location, `must be at least ${minLength} characters`, 'invalid_body');
  if (password.length > maxLength) throw invalidInput(location, `must be at most ${maxLength} characters`, 'invalid_body');
  return password;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params.logN, params.r, params.p);
  return ['scrypt', params.logN, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Whether `password` is the one `stored` was made from; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), Number(logN), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash to compare against when the user has none, so that unknown users take as long as known ones. */
export const decoyHash = 'scrypt$15$8$3$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
