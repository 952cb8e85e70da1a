import { Type } from 'typebox';
import { maxId } from '../../../domain/model/ids.js';

/** An integer id in a path, a query or a body: positive, and within the stores' id range. */
export function idSchema(options: { description?: string } = {}) {
  return Type.Integer({ minimum: 1, maximum: maxId, ...options });
}

/** The common path parameter: a positive integer id. */
export const idParams = Type.Object({ id: idSchema() });

/** The id a URL's path segment holds (`12` in `…/layers/12/`), or null when it is no id in range. */
export function idInText(text: string | undefined): number | null {
  if (text === undefined || !/^[1-9]\d{0,9}$/.test(text)) return null;
  const id = Number(text);
  return id <= maxId ? id : null;
}
