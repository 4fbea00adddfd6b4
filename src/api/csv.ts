/**
 * CSV for finance (RFC 4180): cells quoted when they hold a comma, quote or line break; a cell that
 * a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'` (OWASP's
 * advice on CSV injection) — our numbers are never negative, so no amount is touched.
 */
export type CsvCell = string | number | null | undefined;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: readonly CsvCell[]) => `${cells.map(csvCell).join(',')}\r\n`;

/** Whether the request asks for CSV rather than JSON (content negotiation on Accept). */
export const wantsCsv = (accepts: (types: string[]) => string | false) => accepts(['application/json', 'text/csv']) === 'text/csv';
