import type { Kysely } from 'kysely';

/**
 * The table as this migration knows it. Migrations are frozen history, so they don't import
 * the live schema types, which will move on.
 */
interface LicenseSeedTable {
  licenses: {
    slug: string;
    jurisdiction: string;
    title: string;
    type: string;
    version: string;
    url: string;
    text: string;
    is_custom: number;
    created_at: string;
  };
}

type Seed = Omit<LicenseSeedTable['licenses'], 'jurisdiction' | 'is_custom' | 'created_at'>;

const attribution =
  'You must give appropriate credit, provide a link to the license, and indicate if changes were made.';

function cc4(code: string, name: string, terms: string): Seed {
  return {
    slug: `cc-${code}`,
    type: `cc-${code}`,
    title: `Creative Commons ${name} 4.0 International`,
    version: '4.0',
    url: `https://creativecommons.org/licenses/${code}/4.0/`,
    text: `You are free to share (copy and redistribute the material in any medium or format)${terms}`,
  };
}

/** The Creative Commons 4.0 international set, CC0 and the Public Domain Mark. */
const seeds: Seed[] = [
  cc4('by', 'Attribution', `, and to adapt it (remix, transform and build upon it) for any purpose, even commercially. ${attribution}`),
  cc4(
    'by-sa',
    'Attribution-ShareAlike',
    `, and to adapt it for any purpose, even commercially. ${attribution} If you adapt the material, you must distribute your contributions under the same license as the original.`,
  ),
  cc4('by-nd', 'Attribution-NoDerivatives', ` for any purpose, even commercially. ${attribution} If you adapt the material, you may not distribute the modified material.`),
  cc4('by-nc', 'Attribution-NonCommercial', `, and to adapt it. ${attribution} You may not use the material for commercial purposes.`),
  cc4(
    'by-nc-sa',
    'Attribution-NonCommercial-ShareAlike',
    `, and to adapt it. ${attribution} You may not use the material for commercial purposes. If you adapt the material, you must distribute your contributions under the same license as the original.`,
  ),
  cc4(
    'by-nc-nd',
    'Attribution-NonCommercial-NoDerivatives',
    `. ${attribution} You may not use the material for commercial purposes. If you adapt the material, you may not distribute the modified material.`,
  ),
  {
    slug: 'cc0',
    type: 'public-domain',
    title: 'CC0 1.0 Universal (Public Domain Dedication)',
    version: '1.0',
    url: 'https://creativecommons.org/publicdomain/zero/1.0/',
    text:
      'The person who associated a work with this deed has dedicated the work to the public domain by waiving all of their ' +
      'rights to the work worldwide under copyright law, to the extent allowed by law. You can copy, modify, distribute ' +
      'and perform the work, even for commercial purposes, all without asking permission.',
  },
  {
    slug: 'pdm',
    type: 'public-domain',
    title: 'Public Domain Mark 1.0',
    version: '1.0',
    url: 'https://creativecommons.org/publicdomain/mark/1.0/',
    text:
      'This work has been identified as being free of known restrictions under copyright law, including all related and ' +
      'neighboring rights. You can copy, modify, distribute and perform the work, even for commercial purposes, all ' +
      'without asking permission.',
  },
];

/** Seeds the built-in licenses. Additive and idempotent: rows that exist already are left alone. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const created_at = new Date().toISOString();
  await (db as Kysely<LicenseSeedTable>)
    .insertInto('licenses')
    .values(seeds.map((seed) => ({ ...seed, jurisdiction: '', is_custom: 0, created_at })))
    .onConflict((oc) => oc.columns(['slug', 'jurisdiction']).doNothing())
    .execute();
}
