/**
 * Workgroups' contacts: the people and organisations records name in roles. Members of the
 * workgroup (and its applications) read them; its admins and editors change them.
 */
import type { Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { invalidInput, notFound } from './errors.js';
import type { Contact, ContactFields } from './model/contacts.js';
import type { Group } from './model/groups.js';
import { keptByWorkgroup, mayChangeKept, seesWorkgroup } from './workgroups.js';

export const contactFields = ['name', 'organization', 'email', 'phone', 'fax', 'address_line1', 'address_line2', 'address_line3', 'city', 'zip_code', 'country_code'] as const satisfies ReadonlyArray<keyof ContactFields>;

export type ContactInput = Partial<ContactFields>;

/** Trimmed values, an empty one as none; the email and the country code checked. */
function checked(input: ContactInput): ContactInput {
  const out: ContactInput = {};
  for (const field of contactFields) {
    const value = input[field];
    if (value === undefined) continue;
    const text = value === null ? null : value.trim() || null;
    if (text !== null && text.length > 500) throw invalidInput(field, 'must be at most 500 characters');
    out[field] = text;
  }
  if (out.email != null && !/^[^\s@]+@[^\s@]+$/.test(out.email)) throw invalidInput('email', 'must be an email address');
  if (out.country_code != null) {
    if (!/^[A-Za-z]{2}$/.test(out.country_code)) throw invalidInput('country_code', 'must be an ISO 3166-1 alpha-2 code, such as FR or NZ');
    out.country_code = out.country_code.toUpperCase();
  }
  return out;
}

export async function listContacts(ctx: DomainContext, actor: Actor, group: Group): Promise<Contact[]> {
  if (!seesWorkgroup(actor, group)) throw notFound(`Workgroup ${group.uid}`);
  return ctx.store.contacts.listForGroup(group.id);
}

/** A contact, for whoever sees its workgroup. */
export async function getContact(ctx: DomainContext, actor: Actor, uid: string): Promise<{ item: Contact; group: Group }> {
  return keptByWorkgroup(ctx, actor, await ctx.store.contacts.findByUid(uid), `Contact ${uid}`);
}

export async function createContact(ctx: DomainContext, actor: Actor, group: Group, input: ContactInput): Promise<Contact> {
  mayChangeKept(actor, group, 'contacts');
  const fields = checked(input);
  if (!fields.name && !fields.organization && !fields.email) throw invalidInput('name', 'a contact needs a name, an organization or an email');
  const at = timestamp(ctx);
  const empty = Object.fromEntries(contactFields.map((f) => [f, null])) as ContactFields;
  return ctx.store.contacts.create({ ...empty, ...fields, group_id: group.id, created_at: at, updated_at: at });
}

/** The workgroup's contact `uid`, for a change: missing when it is another workgroup's. */
async function contactOf(ctx: DomainContext, actor: Actor, group: Group, uid: string): Promise<Contact> {
  const contact = await ctx.store.contacts.findByUid(uid);
  mayChangeKept(actor, group, 'contacts', contact, `Contact ${uid}`);
  return contact!;
}

export async function updateContact(ctx: DomainContext, actor: Actor, group: Group, uid: string, input: ContactInput): Promise<Contact> {
  const contact = await contactOf(ctx, actor, group, uid);
  const fields = checked(input);
  const merged = { ...contact, ...fields };
  if (!merged.name && !merged.organization && !merged.email) throw invalidInput('name', 'a contact needs a name, an organization or an email');
  return ctx.store.contacts.update(contact.id, { ...fields, updated_at: timestamp(ctx) });
}

export async function deleteContact(ctx: DomainContext, actor: Actor, group: Group, uid: string): Promise<void> {
  const contact = await contactOf(ctx, actor, group, uid);
  // Records that named it in a role no longer do.
  await ctx.store.transaction(async (repos) => {
    await repos.records.deleteReferring('contact', contact.uid);
    await repos.contacts.delete(contact.id);
  });
}
