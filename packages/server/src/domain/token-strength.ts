/**
 * How strong an operator-chosen token is. Tokens are stored as unsalted SHA-256 hashes, which is
 * safe for Mapshelf's own 256-bit random keys but lets anyone holding a leaked hash try billions
 * of guesses a second against a short or repetitive secret such as `change-me`. So the one secret
 * an operator picks, the bootstrap token, must look random enough.
 */

/** The fewest characters a bootstrap token may have. */
export const minBootstrapTokenLength = 20;
/** The fewest estimated bits of randomness a bootstrap token may have. */
export const minBootstrapTokenBits = 80;
/** What to run to get a good one. */
export const generateTokenCommand = 'openssl rand -hex 32';

/**
 * Estimated bits of randomness in `secret`: its length times the Shannon entropy of its own
 * character frequencies. Repetition and a small alphabet both lower it (`aaaa…` is 0 bits);
 * `openssl rand -hex 32` (64 hex digits) and `openssl rand -base64 32` score over 200, `openssl
 * rand -hex 16` about 110.
 * It cannot see dictionary words, which is why the message asks for a generated token.
 */
export function estimatedBits(secret: string): number {
  const chars = [...secret];
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits += n * Math.log2(chars.length / n);
  return bits;
}

/**
 * Why `secret` is too weak to be a bootstrap token, or null when it is fine: it needs at least
 * {@link minBootstrapTokenLength} characters and {@link minBootstrapTokenBits} estimated bits.
 */
export function bootstrapTokenWeakness(secret: string): string | null {
  const length = [...secret].length;
  const bits = estimatedBits(secret);
  if (length >= minBootstrapTokenLength && bits >= minBootstrapTokenBits) return null;
  return (
    `MAPSHELF_BOOTSTRAP_TOKEN is too weak to store (${length} characters, about ${Math.floor(bits)} bits; ` +
    `it needs ${minBootstrapTokenLength}+ characters and ${minBootstrapTokenBits}+ bits): ` +
    `generate one with: export MAPSHELF_BOOTSTRAP_TOKEN=$(${generateTokenCommand})`
  );
}
