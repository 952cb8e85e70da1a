import { randomBytes } from 'node:crypto';

/** A new item's public id: 128 random bits as 32 lowercase hex characters. */
export function newUid(): string {
  return randomBytes(16).toString('hex');
}
