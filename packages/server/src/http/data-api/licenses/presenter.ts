import type { License } from '../../../domain/model/licenses.js';
import type { PresentContext } from '../conventions/present.js';
import { apiPath } from '../conventions/urls.js';

export function presentLicenseSummary(license: License, ctx: PresentContext) {
  return {
    id: license.id,
    url: ctx.urlFor(apiPath('licenses', license.id)),
    title: license.title,
    type: license.type,
    jurisdiction: license.jurisdiction,
    version: license.version,
    url_html: license.url,
  };
}

export function presentLicense(license: License, ctx: PresentContext) {
  return {
    ...presentLicenseSummary(license, ctx),
    url_fulltext: license.url,
    text: license.text,
    is_custom: license.is_custom,
  };
}
