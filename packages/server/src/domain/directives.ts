/**
 * The directives a limitation may cite (`GET /directives/`): the grounds on which the INSPIRE
 * Directive (2007/2/EC, Article 13(1)) lets public access to spatial data be limited, and its
 * "no limitation". Their ids are fixed (derived from their codes), so records keep naming them
 * across servers and upgrades.
 */
import { createHash } from 'node:crypto';

export const labelLanguages = ['fr', 'en', 'es', 'pt'] as const;
export type LabelLanguage = (typeof labelLanguages)[number];
export type Labels = Record<LabelLanguage, string>;

/** A label in the asked language; French (the Isogeo SDK's default) when none is asked. */
export function label(labels: Labels, lang: string | undefined): string {
  return Object.hasOwn(labels, lang ?? '') ? labels[lang as LabelLanguage] : labels.fr;
}

export interface Directive {
  _id: string;
  code: string;
  name: Labels;
  description: Labels;
}

const article = (point: string): Labels => ({
  fr: `Directive INSPIRE, article 13, paragraphe 1, point ${point}`,
  en: `INSPIRE Directive, Article 13(1)(${point})`,
  es: `Directiva INSPIRE, artículo 13, apartado 1, letra ${point}`,
  pt: `Diretiva INSPIRE, artigo 13.º, n.º 1, alínea ${point}`,
});

const grounds: Array<[string, Labels]> = [
  ['a', {
    fr: 'La confidentialité des travaux des autorités publiques, lorsqu’elle est prévue par la loi.',
    en: 'The confidentiality of the proceedings of public authorities, where such confidentiality is provided for by law.',
    es: 'La confidencialidad de los procedimientos de las autoridades públicas, cuando la ley la disponga.',
    pt: 'A confidencialidade dos procedimentos das autoridades públicas, quando prevista por lei.',
  }],
  ['b', {
    fr: 'Les relations internationales, la sécurité publique ou la défense nationale.',
    en: 'International relations, public security or national defence.',
    es: 'Las relaciones internacionales, la seguridad pública o la defensa nacional.',
    pt: 'As relações internacionais, a segurança pública ou a defesa nacional.',
  }],
  ['c', {
    fr: 'La bonne marche de la justice, la possibilité pour toute personne d’être jugée équitablement ou la capacité d’une autorité publique à mener une enquête d’ordre pénal ou disciplinaire.',
    en: 'The course of justice, the ability of any person to receive a fair trial or the ability of a public authority to conduct an enquiry of a criminal or disciplinary nature.',
    es: 'El curso de la justicia, la posibilidad de una persona de tener un juicio justo o la capacidad de una autoridad pública para realizar una investigación de índole penal o disciplinaria.',
    pt: 'O curso da justiça, a possibilidade de qualquer pessoa ter um julgamento equitativo ou a capacidade de uma autoridade pública realizar um inquérito de natureza penal ou disciplinar.',
  }],
  ['d', {
    fr: 'La confidentialité des informations commerciales ou industrielles, lorsqu’elle est prévue par le droit national ou communautaire afin de protéger un intérêt économique légitime.',
    en: 'The confidentiality of commercial or industrial information, where such confidentiality is provided for by national or Community law to protect a legitimate economic interest.',
    es: 'La confidencialidad de datos de carácter comercial e industrial, cuando dicha confidencialidad esté prevista en la legislación nacional o comunitaria para proteger intereses económicos legítimos.',
    pt: 'A confidencialidade das informações comerciais ou industriais, quando prevista na legislação nacional ou comunitária para proteger um interesse económico legítimo.',
  }],
  ['e', {
    fr: 'Les droits de propriété intellectuelle.',
    en: 'Intellectual property rights.',
    es: 'Los derechos de propiedad intelectual.',
    pt: 'Os direitos de propriedade intelectual.',
  }],
  ['f', {
    fr: 'La confidentialité des données à caractère personnel relatives à une personne physique qui n’a pas consenti à leur divulgation, lorsqu’elle est prévue par le droit national ou communautaire.',
    en: 'The confidentiality of personal data relating to a natural person who has not consented to its disclosure, where such confidentiality is provided for by national or Community law.',
    es: 'La confidencialidad de los datos de carácter personal de una persona física que no haya consentido su divulgación, cuando la legislación nacional o comunitaria la disponga.',
    pt: 'A confidencialidade dos dados pessoais relativos a uma pessoa singular que não tenha consentido na sua divulgação, quando prevista na legislação nacional ou comunitária.',
  }],
  ['g', {
    fr: 'Les intérêts ou la protection de toute personne qui a fourni les informations demandées sur une base volontaire, sans y être contrainte par la loi, sauf si elle a consenti à leur divulgation.',
    en: 'The interests or protection of any person who supplied the information requested on a voluntary basis without being under a legal obligation to do so, unless that person has consented to its release.',
    es: 'Los intereses o la protección de toda persona que haya facilitado voluntariamente la información solicitada sin estar obligada por ley, salvo que haya consentido su divulgación.',
    pt: 'Os interesses ou a proteção de qualquer pessoa que tenha fornecido voluntariamente as informações solicitadas sem estar legalmente obrigada, salvo se consentiu na sua divulgação.',
  }],
  ['h', {
    fr: 'La protection de l’environnement auquel ces informations ont trait, comme la localisation d’espèces rares.',
    en: 'The protection of the environment to which such information relates, such as the location of rare species.',
    es: 'La protección del medio ambiente al que se refiere la información, como la localización de especies raras.',
    pt: 'A proteção do ambiente a que as informações se referem, como a localização de espécies raras.',
  }],
];

const idOf = (code: string) => createHash('md5').update(`mapshelf:directive:${code}`).digest('hex');

export const directives: readonly Directive[] = [
  {
    _id: idOf('inspire-no-limitation'),
    code: 'inspire-no-limitation',
    name: {
      fr: 'Pas de restriction d’accès public selon INSPIRE',
      en: 'No limitations to public access (INSPIRE)',
      es: 'Sin limitaciones al acceso público (INSPIRE)',
      pt: 'Sem limitações ao acesso público (INSPIRE)',
    },
    description: {
      fr: 'Aucun des motifs de l’article 13 de la directive INSPIRE ne limite l’accès public à ces données.',
      en: 'None of the grounds of Article 13 of the INSPIRE Directive limits public access to these data.',
      es: 'Ninguno de los motivos del artículo 13 de la Directiva INSPIRE limita el acceso público a estos datos.',
      pt: 'Nenhum dos fundamentos do artigo 13.º da Diretiva INSPIRE limita o acesso público a estes dados.',
    },
  },
  ...grounds.map(([point, description]) => ({ _id: idOf(`inspire-13-1-${point}`), code: `inspire-13-1-${point}`, name: article(point), description })),
];

const byId = new Map(directives.map((directive) => [directive._id, directive]));

export function directiveById(id: string): Directive | undefined {
  return byId.get(id);
}
