import { invalidInput } from './errors.js';

/** An absolute http or https URL, normalised; an empty one is none. */
export function checkedWebLink(field: string, link: string | null): string | null {
  if (link === null || link.trim() === '') return null;
  try {
    const url = new URL(link.trim());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && link.length <= 2000) return url.href;
  } catch {
    // refused below
  }
  throw invalidInput(field, 'must be an absolute http or https URL of at most 2000 characters');
}
