import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema, type Static } from 'typebox';
import type { Actor } from '../../../domain/actor.js';
import type { DomainContext } from '../../../domain/context.js';
import { groupByUid } from '../../../domain/groups.js';
import type { Group } from '../../../domain/model/groups.js';
import { editsWorkgroup } from '../../../domain/workgroups.js';
import { commonQuery, includesOf, uidParams, uidSchema } from './params.js';

/** One kind of thing a workgroup keeps (contacts, specifications, …): its domain calls and its wire form. */
export interface WorkgroupCollection<T extends { uid: string }, B extends TSchema, I> {
  /** The path segment: `contacts` gives `groups/{wg}/contacts/` and `contacts/{id}/`. */
  path: string;
  /** Singular, for summaries: `contact`. */
  noun: string;
  body: B;
  /** The body (JSON, or a form where the SDK sends one) as the domain's input. */
  input(body: Static<B>): I;
  includes: readonly string[];
  /** `_include=count`: how many of the workgroup's records each holds or names, by uid. */
  counts?(ctx: DomainContext, group: Group, items: readonly T[]): Promise<Map<string, number>>;
  /** `group` is null for what no workgroup owns (the site's licences). */
  present(item: T, group: Group | null, options: PresentOptions): unknown;
  list(ctx: DomainContext, actor: Actor, group: Group): Promise<T[]>;
  get(ctx: DomainContext, actor: Actor, uid: string): Promise<{ item: T; group: Group | null }>;
  /** Read by `groups/{wg}/X/{id}/` too: the workgroup's own only. */
  readInWorkgroup?(ctx: DomainContext, actor: Actor, group: Group, uid: string): Promise<T>;
  create(ctx: DomainContext, actor: Actor, group: Group, input: I): Promise<T>;
  update(ctx: DomainContext, actor: Actor, group: Group, uid: string, input: I): Promise<T>;
  remove(ctx: DomainContext, actor: Actor, group: Group, uid: string): Promise<void>;
}

export interface PresentOptions {
  include: ReadonlySet<string>;
  canEdit: boolean;
  /** The workgroup's records naming it, when `_include` asks for `count`. */
  count?: number;
}

const wgParams = Type.Object({ wg: uidSchema });
const oneParams = Type.Object({ wg: uidSchema, id: uidSchema });

/**
 * The routes of one kind of thing a workgroup keeps, written once: list and create under
 * `groups/{wg}/…/`, read by `…/{id}/`, change and delete under `groups/{wg}/…/{id}/`.
 */
export function registerWorkgroupCollection<T extends { uid: string }, B extends TSchema, I>(base: FastifyInstance, ctx: DomainContext, kind: WorkgroupCollection<T, B, I>): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = [kind.path];
  /** The items as the request asks for them, counted when it asks for `count` in a workgroup. */
  const presentAll = async (request: FastifyRequest, items: readonly T[], group: Group | null) => {
    const include = includesOf(request, kind.includes);
    const counts = kind.counts && group && include.has('count') ? await kind.counts(ctx, group, items) : undefined;
    const canEdit = group !== null && editsWorkgroup(request.actor, group);
    return items.map((item) => kind.present(item, group, { include, canEdit, ...(counts && { count: counts.get(item.uid) ?? 0 }) }));
  };
  const present = async (request: FastifyRequest, item: T, group: Group | null) => (await presentAll(request, [item], group))[0];

  // Also `groups/{wg}/X/{id}/`, as the SDK reads catalogs, when the kind says so.
  if (kind.readInWorkgroup) {
    const readInWorkgroup = kind.readInWorkgroup;
    app.get(`/groups/:wg/${kind.path}/:id/`, { schema: { summary: `A ${kind.noun} of a workgroup`, tags, params: oneParams, querystring: commonQuery } }, async (request) => {
      const group = await groupByUid(ctx, request.params.wg);
      return present(request, await readInWorkgroup(ctx, request.actor, group, request.params.id), group);
    });
  }
  const write = { scope: 'resources:write' } as const;

  app.get(`/groups/:wg/${kind.path}/`, { schema: { summary: `A workgroup's ${kind.path}`, tags, params: wgParams, querystring: commonQuery } }, async (request) => {
    const group = await groupByUid(ctx, request.params.wg);
    return presentAll(request, await kind.list(ctx, request.actor, group), group);
  });

  app.post(
    `/groups/:wg/${kind.path}/`,
    { config: write, schema: { summary: `Add a ${kind.noun} to a workgroup (its admins and editors)`, tags, params: wgParams, querystring: commonQuery, body: kind.body } },
    async (request, reply) => {
      const group = await groupByUid(ctx, request.params.wg);
      const item = await kind.create(ctx, request.actor, group, kind.input(request.body as Static<B>));
      reply.code(201);
      return present(request, item, group);
    },
  );

  app.get(`/${kind.path}/:id/`, { schema: { summary: `A ${kind.noun}`, tags, params: uidParams, querystring: commonQuery } }, async (request) => {
    const { item, group } = await kind.get(ctx, request.actor, request.params.id);
    return present(request, item, group);
  });

  app.put(
    `/groups/:wg/${kind.path}/:id/`,
    { config: write, schema: { summary: `Change a ${kind.noun}`, tags, params: oneParams, querystring: commonQuery, body: kind.body } },
    async (request) => {
      const group = await groupByUid(ctx, request.params.wg);
      return present(request, await kind.update(ctx, request.actor, group, request.params.id, kind.input(request.body as Static<B>)), group);
    },
  );

  app.delete(
    `/groups/:wg/${kind.path}/:id/`,
    { config: write, schema: { summary: `Delete a ${kind.noun}`, tags, params: oneParams, querystring: commonQuery } },
    async (request, reply) => {
      await kind.remove(ctx, request.actor, await groupByUid(ctx, request.params.wg), request.params.id);
      return reply.code(204).send();
    },
  );
}
