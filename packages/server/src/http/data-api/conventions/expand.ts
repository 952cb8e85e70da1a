import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MapshelfError } from '../../../domain/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The names this route's `Expand` header accepts (`list` on lists; `items` on a set).
     * Routes that declare none accept no `Expand` header. @default []
     */
    expansions?: readonly string[];
  }
}

function namesOf(header: string | string[] | undefined): string[] {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  return text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * Parses the `Expand` header (`list`, or `a,b`) into a set of names. The old Python client
 * sends `i,t,e,m,s` for `items`; the joined letters are added too, so that request works.
 */
export function parseExpand(header: string | string[] | undefined): Set<string> {
  const names = namesOf(header);
  const expanded = new Set(names);
  if (names.length > 1 && names.every((n) => n.length === 1)) expanded.add(names.join(''));
  return expanded;
}

/**
 * The names in an `Expand` header that `offered` lacks. Letters that spell an offered name
 * (the old Python client's `i,t,e,m,s`) count as that name.
 */
export function unknownExpansions(header: string | string[] | undefined, offered: readonly string[]): string[] {
  const names = namesOf(header);
  if (names.length > 1 && names.every((n) => n.length === 1) && offered.includes(names.join(''))) return [];
  return [...new Set(names.filter((n) => !offered.includes(n)))];
}

/** What the route behind a request lets `Expand` name. */
export function offeredExpansions(request: FastifyRequest): readonly string[] {
  return request.routeOptions.config?.expansions ?? [];
}

/**
 * Refuses an `Expand` header naming what the view does not offer, with a 400 that lists what
 * it does, rather than silently answering without it. OPTIONS (which presents nothing) and
 * unmatched URLs (404s) are left alone.
 */
export function registerExpandCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const header = request.headers.expand;
    if (header === undefined || request.method === 'OPTIONS' || request.routeOptions.url === undefined) return;
    const offered = offeredExpansions(request);
    const unknown = unknownExpansions(header, offered);
    if (unknown.length === 0) return;
    const choices = offered.length > 0 ? `This view offers: ${offered.join(', ')}.` : 'This view offers no expansions; leave the header out.';
    const message = `unknown expansion${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}`;
    throw new MapshelfError('invalid_parameter', `header.expand: ${message}. ${choices}`, {
      errors: [{ location: 'header.expand', message: `${message}; offered: ${offered.join(', ') || 'none'}` }],
      extra: { expansions: offered },
    });
  });
}
