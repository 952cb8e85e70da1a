import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { languages } from '../../../domain/accounts.js';

/** A 32-hex `_id` in a path, as the Isogeo SDK checks them (lowercase). */
export const uidSchema = Type.String({ pattern: '^[0-9a-f]{32}$', description: '32 lowercase hex characters' });

export const uidParams = Type.Object({ id: uidSchema });

/**
 * The query every route takes: `_lang` (the language of the labels the server writes) and
 * `_include`. Other parameters are ignored, as the SDK sends several a route may not use.
 */
export const commonQuery = Type.Object(
  {
    _lang: Type.Optional(Type.Union([...languages.map((l) => Type.Literal(l)), Type.Literal('')])),
    _include: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  },
  { additionalProperties: true },
);

/** A list's page: `_limit` (0 to 100) and `_offset`, beside the common parameters. */
export const pagedQuery = Type.Object(
  { ...commonQuery.properties, _limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })), _offset: Type.Optional(Type.Integer({ minimum: 0 })) },
  { additionalProperties: true },
);

/** The subresources `_include` asks for; `all` asks for every one the route offers. An empty value asks for none. */
export function includesOf(request: FastifyRequest, offered: readonly string[]): Set<string> {
  const raw = (request.query as { _include?: string | string[] } | undefined)?._include;
  const asked = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  return new Set(asked.includes('all') ? offered : asked.filter((v) => offered.includes(v)));
}
