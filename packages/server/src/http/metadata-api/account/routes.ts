import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { getAccount, updateAccount } from '../../../domain/accounts.js';
import type { DomainContext } from '../../../domain/context.js';
import { commonQuery, includesOf } from '../conventions/params.js';
import { presentMembership, presentUser, userIncludes } from '../users/presenter.js';

const tags = ['account'];

/**
 * A User as the SDK sends it back (`account.update` sends every key it read), and the password
 * fields. The read-only keys are accepted and ignored; a contact's other keys too.
 */
export const AccountBody = Type.Object(
  {
    _abilities: Type.Optional(Type.Unknown()),
    _created: Type.Optional(Type.Unknown()),
    _id: Type.Optional(Type.Unknown()),
    _modified: Type.Optional(Type.Unknown()),
    contact: Type.Optional(
      Type.Union([
        Type.Null(),
        Type.Object(
          { name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])), email: Type.Optional(Type.Union([Type.String({ maxLength: 254 }), Type.Null()])) },
          { additionalProperties: true },
        ),
      ]),
    ),
    language: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    mailchimp: Type.Optional(Type.Unknown()),
    memberships: Type.Optional(Type.Unknown()),
    staff: Type.Optional(Type.Unknown()),
    timezone: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    password: Type.Optional(Type.String({ description: 'A new password for the OAuth2 password grant: 10 characters or more' })),
    currentPassword: Type.Optional(Type.String({ description: 'The password it replaces, when there is one' })),
  },
  { additionalProperties: false },
);

export function accountInput(body: Static<typeof AccountBody>) {
  return {
    ...(body.password !== undefined && { password: body.password }),
    ...(body.currentPassword !== undefined && { currentPassword: body.currentPassword }),
    ...(typeof body.language === 'string' && { language: body.language }),
    ...(typeof body.timezone === 'string' && { timezone: body.timezone }),
    ...(body.contact?.name != null && { name: body.contact.name }),
    ...(body.contact && body.contact.email !== undefined && { email: body.contact.email }),
  };
}

/** The signed-in user's own account: `account/`, `account/memberships/`. */
export function registerAccountRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/account/', { schema: { summary: 'The signed-in user', tags, querystring: commonQuery } }, async (request) =>
    presentUser(await getAccount(ctx, request.actor), includesOf(request, userIncludes)),
  );

  app.put(
    '/account/',
    { schema: { summary: 'Change your language, time zone, name, email or password (with the current one)', tags, querystring: commonQuery, body: AccountBody } },
    async (request) => presentUser(await updateAccount(ctx, request.actor, accountInput(request.body)), includesOf(request, userIncludes)),
  );

  app.get('/account/memberships/', { schema: { summary: 'Your workgroups and your role in each', tags, querystring: commonQuery } }, async (request) =>
    (await getAccount(ctx, request.actor)).memberships.map(presentMembership),
  );
}
