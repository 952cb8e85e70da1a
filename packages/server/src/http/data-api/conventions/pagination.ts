import type { FastifyReply, FastifyRequest } from 'fastify';
import { MapshelfError } from '../../../domain/errors.js';
import type { ListQuery } from '../../../domain/list-query.js';
import type {} from '../../shared/public-url.js';

/**
 * Sets the Koordinates paging headers for one page of a list: `X-Resource-Range`
 * (`start-end/total`, 0-based, end exclusive), `X-Paginate-By` and `Link` with `page-next`,
 * `page-previous` and `page-last`. Link URLs keep the request's own filters and sort.
 * A page past the last one is a 404, as in Koordinates; page 1 of an empty list is fine.
 */
export function setPageHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  query: ListQuery,
  total: number,
  count: number,
  snapshot?: number,
): void {
  // `list-params.ts` made the window from page and page_size, so it falls on a page.
  const pageSize = query.limit;
  const page = query.offset / pageSize + 1;
  const lastPage = Math.max(1, Math.ceil(total / pageSize));
  if (page > lastPage) {
    throw new MapshelfError('invalid_page', `query.page: page ${page} is past the last page (${lastPage}).`, {
      errors: [{ location: 'query.page', message: `the last page is ${lastPage}` }],
    });
  }
  const start = query.offset;
  // The request's own query, parsed once for the two or three links (a URL object each costs more than the search).
  const url = request.urlFor(request.url);
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  const params = new URLSearchParams(mark < 0 ? '' : url.slice(mark + 1));
  const pageUrl = (n: number) => {
    params.set('page', String(n));
    params.set('page_size', String(pageSize));
    if (snapshot !== undefined) params.set('snapshot', String(snapshot));
    return `${path}?${params}`;
  };
  const links: string[] = [];
  if (page < lastPage) links.push(`<${pageUrl(page + 1)}>; rel="page-next"`);
  if (page > 1) links.push(`<${pageUrl(page - 1)}>; rel="page-previous"`);
  links.push(`<${pageUrl(lastPage)}>; rel="page-last"`);
  reply.header('X-Resource-Range', `${start}-${start + count}/${total}`);
  reply.header('X-Paginate-By', String(pageSize));
  reply.header('Link', links.join(', '));
}
