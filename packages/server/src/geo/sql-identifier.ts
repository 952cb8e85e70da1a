/** A name (table, column) quoted for SQLite SQL: in double quotes, with its own doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
