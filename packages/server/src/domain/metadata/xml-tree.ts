/** A parsed XML document as a namespace-resolved tree, and the walks its readers share. */

/** An element with its namespace resolved, and its own text (not its descendants'). */
export interface XmlNode {
  /** Qualified name as written, e.g. `gmd:title`. */
  name: string;
  local: string;
  ns: string | null;
  /** Its attributes by local name (`codeListValue`, `href`), namespace declarations left out. */
  attrs: ReadonlyMap<string, string>;
  children: XmlNode[];
  text: string;
}

export function* descendants(node: XmlNode): Generator<XmlNode> {
  for (const child of node.children) {
    yield child;
    yield* descendants(child);
  }
}

/** Nodes reached from `node` through children with these local names; '*' matches any. */
export function path(node: XmlNode, ...locals: string[]): XmlNode[] {
  return locals.reduce<XmlNode[]>(
    (nodes, local) => nodes.flatMap((n) => n.children.filter((c) => local === '*' || c.local === local)),
    [node],
  );
}

/**
 * The first non-empty text at or under a node: `gmd:title` holds its text in a
 * gco:CharacterString (or gmx:Anchor, or PT_FreeText with translations after it).
 */
export function firstText(node: XmlNode | undefined): string | null {
  if (!node) return null;
  if (node.text) return node.text;
  for (const child of descendants(node)) if (child.text) return child.text;
  return null;
}

export function texts(nodes: XmlNode[]): string[] {
  return nodes.map(firstText).filter((text): text is string => text !== null);
}

export function toNumber(text: string | null): number {
  return text === null || text.trim() === '' ? Number.NaN : Number(text);
}

/** The union of [west, south, east, north] boxes, skipping incomplete ones. */
export function union(boxes: Array<[number, number, number, number]>): [number, number, number, number] | null {
  const valid = boxes.filter((box) => box.every(Number.isFinite));
  if (valid.length === 0) return null;
  return valid.reduce((a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])]);
}

export function boxFrom(node: XmlNode, west: string, south: string, east: string, north: string): [number, number, number, number] {
  const value = (local: string) => toNumber(firstText(path(node, local)[0]));
  return [value(west), value(south), value(east), value(north)];
}
