import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { createContact, deleteContact, getContact, listContacts, updateContact, type ContactInput } from '../../../domain/contacts.js';
import type { DomainContext } from '../../../domain/context.js';
import { registerWorkgroupCollection } from '../conventions/workgroup-collection.js';
import { contactIncludes, presentContact } from './presenter.js';
import { recordsNaming } from '../../../domain/record-parts.js';

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

/** Workgroups' contacts: `groups/{wg}/contacts/`, and `contacts/{id}/`. */
export function registerContactRoutes(app: FastifyInstance, ctx: DomainContext): void {
  registerWorkgroupCollection(app, ctx, {
    path: 'contacts',
    noun: 'contact',
    body: ContactBody,
    input: inputOf,
    includes: contactIncludes,
    counts: (context, group, items) => recordsNaming(context, group, 'contact', items.map((item) => item.uid)),
    present: presentContact,
    list: listContacts,
    get: getContact,
    create: createContact,
    update: updateContact,
    remove: deleteContact,
  });
}
