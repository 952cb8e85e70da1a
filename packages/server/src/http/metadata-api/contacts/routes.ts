import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { createContact, deleteContact, getContact, listContacts, updateContact, type ContactInput } from '../../../domain/contacts.js';
import type { DomainContext } from '../../../domain/context.js';
import { groupByUid } from '../../../domain/groups.js';
import { editsWorkgroup } from '../../../domain/workgroups.js';
import type { Contact } from '../../../domain/model/contacts.js';
import type { Group } from '../../../domain/model/groups.js';
import { commonQuery, includesOf, uidParams, uidSchema } from '../conventions/params.js';
import { contactIncludes, presentContact } from './presenter.js';

const tags = ['contacts'];
const text = Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()]));

/**
 * A contact as the SDK sends it: `contact.create` sends 11 keys, with `faxNumber`,
 * `organizationName` and `phoneNumber`; the answer's names (`fax`, `organization`, `phone`) and
 * its read-only keys are accepted too, so that what a GET gave can be sent back.
 */
const ContactBody = Type.Object(
  {
    name: text,
    email: text,
    addressLine1: text,
    addressLine2: text,
    addressLine3: text,
    city: text,
    zipCode: text,
    countryCode: text,
    faxNumber: text,
    fax: text,
    organizationName: text,
    organization: text,
    phoneNumber: text,
    phone: text,
    type: Type.Optional(Type.Union([Type.Literal('custom'), Type.Null()])),
    ...Object.fromEntries(['_abilities', '_deleted', '_id', '_tag', 'available', 'count', 'hash', 'owner', 'created', 'modified'].map((key) => [key, Type.Optional(Type.Unknown())])),
  },
  { additionalProperties: false },
);

function inputOf(body: Static<typeof ContactBody>): ContactInput {
  const pick = (...values: Array<string | null | undefined>) => values.find((v) => v !== undefined);
  const input: ContactInput = {};
  const set = (field: keyof ContactInput, value: string | null | undefined) => {
    if (value !== undefined) input[field] = value;
  };
  set('name', body.name);
  set('email', body.email);
  set('address_line1', body.addressLine1);
  set('address_line2', body.addressLine2);
  set('address_line3', body.addressLine3);
  set('city', body.city);
  set('zip_code', body.zipCode);
  set('country_code', body.countryCode);
  set('fax', pick(body.faxNumber, body.fax));
  set('organization', pick(body.organizationName, body.organization));
  set('phone', pick(body.phoneNumber, body.phone));
  return input;
}

const wgParams = Type.Object({ wg: uidSchema });
const oneParams = Type.Object({ wg: uidSchema, id: uidSchema });

/** Workgroups' contacts: `groups/{wg}/contacts/`, and `contacts/{id}/`. */
export function registerContactRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const present = (request: FastifyRequest, contact: Contact, group: Group) =>
    presentContact(contact, group, { include: includesOf(request, contactIncludes), canEdit: editsWorkgroup(request.actor, group) });

  app.get('/groups/:wg/contacts/', { schema: { summary: "A workgroup's contacts", tags, params: wgParams, querystring: commonQuery } }, async (request) => {
    const group = await groupByUid(ctx, request.params.wg);
    return (await listContacts(ctx, request.actor, group)).map((contact) => present(request, contact, group));
  });

  app.post(
    '/groups/:wg/contacts/',
    { config: { scope: 'resources:write' }, schema: { summary: 'Add a contact to a workgroup (its admins and editors)', tags, params: wgParams, querystring: commonQuery, body: ContactBody } },
    async (request, reply) => {
      const group = await groupByUid(ctx, request.params.wg);
      const contact = await createContact(ctx, request.actor, group, inputOf(request.body));
      reply.code(201);
      return present(request, contact, group);
    },
  );

  app.get('/contacts/:id/', { schema: { summary: 'A contact', tags, params: uidParams, querystring: commonQuery } }, async (request) => {
    const { contact, group } = await getContact(ctx, request.actor, request.params.id);
    return present(request, contact, group);
  });

  app.put(
    '/groups/:wg/contacts/:id/',
    { config: { scope: 'resources:write' }, schema: { summary: 'Change a contact', tags, params: oneParams, querystring: commonQuery, body: ContactBody } },
    async (request) => {
      const group = await groupByUid(ctx, request.params.wg);
      return present(request, await updateContact(ctx, request.actor, group, request.params.id, inputOf(request.body)), group);
    },
  );

  app.delete(
    '/groups/:wg/contacts/:id/',
    { config: { scope: 'resources:write' }, schema: { summary: 'Delete a contact', tags, params: oneParams, querystring: commonQuery } },
    async (request, reply) => {
      await deleteContact(ctx, request.actor, await groupByUid(ctx, request.params.wg), request.params.id);
      return reply.code(204).send();
    },
  );
}
