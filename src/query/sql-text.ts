/** SQL literal and identifier quoting, and small text helpers; pure. */

export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function sqlIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

export function sqlStringList(items: string[]): string {
  return `[${items.map(sqlString).join(', ')}]`;
}

/** A statement without its trailing semicolons and blanks, so it can be wrapped in COPY (…). */
export function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/(?:\s|;)+$/, '');
}
