import type { FastifyInstance } from 'fastify';
import { idSchema } from '../conventions/ids.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import { invalidParameter } from '../../../domain/errors.js';
import type { ItemType } from '../../../domain/item-refs.js';
import { getPermission, listPermissions, putPermission, replacePermissions, type PermissionEntry } from '../../../domain/permissions.js';
import { permissionLevels } from '../../../domain/policies/items.js';
import type { Scope } from '../../../domain/scopes.js';
import type { Permission } from '../../../domain/model/permissions.js';
import { presentContext, sendCreated, type PresentContext } from '../conventions/present.js';
import { idFromRef } from '../conventions/refs.js';
import type { UrlFor } from '../../shared/public-url.js';
import { apiPath } from '../conventions/urls.js';

const ref = Type.Union([idSchema(), Type.String({ minLength: 1, maxLength: 2000 })]);

/** One permission as clients send it: `id` (`group.12`), or a `group` / `user` reference, and a level. */
const PermissionBody = Type.Object(
  {
    id: Type.Optional(Type.String({ maxLength: 100 })),
    group: Type.Optional(ref),
    user: Type.Optional(ref),
    permission: Type.Union(permissionLevels.map((l) => Type.Literal(l))),
  },
  { additionalProperties: false },
);
type PermissionBody = Static<typeof PermissionBody>;

function entryOf(body: PermissionBody, location: string, urlFor: UrlFor): PermissionEntry {
  // One way of naming who gets it: two would leave one silently ignored.
  const given = (['id', 'group', 'user'] as const).filter((name) => body[name] !== undefined);
  if (given.length > 1) {
    throw invalidParameter(`${location}.${given[1]}`, `give only one of id, group and user; this permission has ${given.join(' and ')}`);
  }
  let principal = body.id;
  if (!principal && body.group !== undefined) {
    principal = body.group === 'everyone' || body.group === 'group.everyone' ? 'group.everyone' : `group.${idFromRef(body.group, 'groups', `${location}.group`, urlFor)}`;
  }
  if (!principal && body.user !== undefined) principal = `user.${idFromRef(body.user, 'users', `${location}.user`, urlFor)}`;
  if (!principal) throw invalidParameter(location, 'name who gets the permission: id ("group.everyone", "group.<id>", "user.<id>"), group or user');
  return { principal, level: body.permission, field: given[0] ?? 'id' };
}

function present(row: Permission, itemPath: string, ctx: PresentContext) {
  const [kind, id] = row.principal.split('.') as ['group' | 'user', string];
  return {
    id: row.principal,
    url: ctx.urlFor(`${itemPath}permissions/${encodeURIComponent(row.principal)}/`),
    permission: row.level,
    ...(kind === 'group'
      ? { group: id === 'everyone' ? { id: 'everyone', name: 'Everyone' } : { id: Number(id), url: ctx.urlFor(apiPath('groups', id)) } }
      : { user: { id: Number(id), url: ctx.urlFor(apiPath('users', id)) } }),
  };
}

export interface PermissionRoutesOptions {
  /** The item's route, e.g. `/services/api/v1/layers/:id/`. */
  itemUrl: string;
  /** The item's concrete path, for URLs in responses. */
  itemPath: (id: number) => string;
  /** The type of item the route names. */
  type: ItemType;
  scopes: { read: Scope; write: Scope };
  tags: string[];
}

/** `GET|POST|PUT …/permissions/` and `GET …/permissions/{principal}/` on one kind of item. */
export function registerPermissionRoutes(base: FastifyInstance, ctx: DomainContext, options: PermissionRoutesOptions): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const list = `${options.itemUrl}permissions/`;
  const params = Type.Object({ id: idSchema() });
  const tags = options.tags;

  app.get(list, { config: { scope: options.scopes.read }, schema: { summary: 'Who holds which permission (admins of the item)', tags, params } }, async (request) => {
    const { id } = request.params;
    const rows = await listPermissions(ctx, request.actor, { type: options.type, id });
    return rows.map((row) => present(row, options.itemPath(id), presentContext(request)));
  });

  app.post(
    list,
    { config: { scope: options.scopes.write }, schema: { summary: 'Grant a permission: view, download, edit or admin', tags, params, body: PermissionBody } },
    async (request, reply) => {
      const { id } = request.params;
      const row = await putPermission(ctx, request.actor, { type: options.type, id }, entryOf(request.body, 'body', request.urlFor));
      return sendCreated(reply, present(row, options.itemPath(id), presentContext(request)));
    },
  );

  app.put(
    list,
    {
      config: { scope: options.scopes.write },
      schema: { summary: 'Replace all permissions with this list', tags, params, body: Type.Array(PermissionBody, { maxItems: 1000 }) },
    },
    async (request) => {
      const { id } = request.params;
      const entries = request.body.map((body, index) => entryOf(body, `body[${index}]`, request.urlFor));
      const rows = await replacePermissions(ctx, request.actor, { type: options.type, id }, entries);
      return rows.map((row) => present(row, options.itemPath(id), presentContext(request)));
    },
  );

  app.get(
    `${list}:principal/`,
    {
      config: { scope: options.scopes.read },
      schema: { summary: 'One permission', tags, params: Type.Object({ id: idSchema(), principal: Type.String({ maxLength: 100 }) }) },
    },
    async (request) => {
      const { id, principal } = request.params;
      const row = await getPermission(ctx, request.actor, { type: options.type, id }, principal);
      return present(row, options.itemPath(id), presentContext(request));
    },
  );
}
