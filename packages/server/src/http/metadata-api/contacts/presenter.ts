import type { Contact } from '../../../domain/model/contacts.js';
import type { Group } from '../../../domain/model/groups.js';
import { wireTimestamp } from '../conventions/wire.js';
import { workgroupRef } from '../workgroups/presenter.js';

/** Isogeo's Contact of type `custom`, its keys only (the SDK names them so in answers, not in what it sends). */
export function presentContact(contact: Contact, group: Group, options: { include: ReadonlySet<string>; canEdit: boolean }) {
  return {
    ...(options.include.has('_abilities') && { _abilities: options.canEdit ? ['contact:update', 'contact:delete'] : [] }),
    _id: contact.uid,
    _tag: `contact:${group.uid}:${contact.uid}`,
    addressLine1: contact.address_line1,
    addressLine2: contact.address_line2,
    addressLine3: contact.address_line3,
    city: contact.city,
    countryCode: contact.country_code,
    created: wireTimestamp(contact.created_at),
    email: contact.email,
    fax: contact.fax,
    modified: wireTimestamp(contact.updated_at),
    name: contact.name,
    organization: contact.organization,
    owner: workgroupRef(group),
    phone: contact.phone,
    type: 'custom',
    zipCode: contact.zip_code,
  };
}

/** `count` (the records that name it) comes with records; the SDK takes a missing key as None. */
export const contactIncludes = ['_abilities'] as const;
