import type { ReactElement, ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

/**
 * The console's page shell and its one stylesheet. Pages are React components rendered to a string
 * on the server: every text and attribute value is escaped by the renderer, so no text a payment
 * carries (a description, a gateway message) can become markup. The stylesheet is the one inline
 * `<style>`, allowed by the response's CSP nonce (src/web/security-headers.ts); no page needs script.
 *
 * Narrow first: a 390 px phone gets one column, long identifiers wrap anywhere, and tables become
 * stacked cards, so nothing scrolls sideways; wider screens get a centred column and real tables.
 */
const STYLE = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.45; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1d2433; overflow-wrap: anywhere; }
a { color: #0a55d6; }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 8px; z-index: 1; }
header { background: #16213a; color: #fff; }
header .bar { max-width: 1100px; margin: 0 auto; padding: 10px 16px; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
header a { color: #fff; }
header .brand { font-weight: 700; text-decoration: none; margin-right: auto; }
header nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 0; padding: 0; align-items: center; }
header form { margin: 0; }
header button { background: transparent; color: #fff; border: 1px solid #8fa0c4; padding: 4px 10px; width: auto; font-size: .95rem; }
header .who { color: #c5cee0; font-size: .85rem; }
main { max-width: 1100px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.4rem; margin: 4px 0 12px; }
h2 { font-size: 1.15rem; margin: 0 0 10px; }
h3 { font-size: 1rem; margin: 12px 0 6px; }
section { background: #fff; border-radius: 10px; padding: 14px; margin: 0 0 14px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
label { display: block; font-weight: 600; margin: 0 0 4px; }
input, select, textarea { font: inherit; width: 100%; padding: 9px 10px; border: 1px solid #9aa3b5; border-radius: 8px; background: #fff; color: inherit; }
textarea { min-height: 4.5em; }
button { font: inherit; font-weight: 700; padding: 10px 14px; border: 0; border-radius: 8px; background: #0a55d6; color: #fff; cursor: pointer; width: 100%; }
button.secondary { background: #e7ebf3; color: #16213a; }
button.danger { background: #b3261e; }
.field { margin: 0 0 12px; }
.filters { display: grid; grid-template-columns: 1fr; gap: 0 12px; }
.actions { display: grid; grid-template-columns: 1fr; gap: 8px; }
.hint { color: #566076; font-size: .9rem; margin: 4px 0 0; }
.notice { background: #e6f4ea; color: #14532d; border-radius: 8px; padding: 10px 12px; margin: 0 0 14px; }
.error { background: #fdecec; color: #8f1d16; border-radius: 8px; padding: 10px 12px; margin: 0 0 14px; }
.status { display: inline-block; font-weight: 700; font-size: .85rem; padding: 2px 8px; border-radius: 999px; background: #e7ebf3; }
.status-NEEDS_REVIEW, .status-failed, .status-failing, .status-FAILED { background: #fde2c4; color: #7a3300; }
.status-PAID, .status-delivered, .status-SUCCEEDED { background: #d9f2e1; color: #14532d; }
dl.facts { display: grid; grid-template-columns: minmax(0, 11em) minmax(0, 1fr); gap: 6px 12px; margin: 0; }
dl.facts dt { color: #566076; }
dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
ol.timeline { list-style: none; margin: 0; padding: 0; }
ol.timeline li { border-left: 3px solid #c5cee0; padding: 4px 0 8px 12px; }
ol.timeline time { display: block; color: #566076; font-size: .85rem; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 8px 6px; border-bottom: 1px solid #e1e5ee; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td form { margin: 0; }
td button { width: auto; padding: 6px 10px; }
.pager { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 12px; }
@media (max-width: 699px) {
  table.cards thead { position: absolute; left: -9999px; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards tr { border-bottom: 1px solid #c5cee0; padding: 6px 0; }
  table.cards td { border: 0; padding: 2px 0; text-align: left; }
  table.cards td::before { content: attr(data-label) ": "; color: #566076; }
}
@media (min-width: 700px) {
  .filters { grid-template-columns: repeat(4, minmax(0, 1fr)); align-items: end; }
  .actions { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 14px; }
  button.inline { width: auto; }
}
`;

export interface PageProps {
  nonce: string;
  title: string;
  /** The signed-in operator and their CSRF token (for the sign-out form); absent on the sign-in page. */
  operator?: { id: string; csrf: string };
  children: ReactNode;
}

export function Page({ nonce, title, operator, children }: PageProps) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · CodePay console`}</title>
        {/* A constant of this file, never request data: the one place markup is inserted unescaped. */}
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <header>
          <div className="bar">
            <a className="brand" href="/console">
              CodePay console
            </a>
            {operator && (
              <nav aria-label="Console">
                <ul>
                  <li>
                    <a href="/console/payments">Payments</a>
                  </li>
                  <li>
                    <a href="/console/reconciliations">Reconciliations</a>
                  </li>
                  <li className="who" data-testid="operator-id">
                    {operator.id}
                  </li>
                  <li>
                    <form method="post" action="/console/sign-out">
                      <CsrfField token={operator.csrf} />
                      <button type="submit">Sign out</button>
                    </form>
                  </li>
                </ul>
              </nav>
            )}
          </div>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}

/** The field every console form posts; the router refuses a post without the session's token (403). */
export const CSRF_FIELD = '_csrf';

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

export function Notice({ notice, error }: { notice?: string; error?: string }) {
  return (
    <>
      {notice && (
        <p className="notice" role="status" data-testid="notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="error">
          {error}
        </p>
      )}
    </>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{status}</span>;
}

/** An instant as people read it, in UTC (what the event log and CodePay use). */
export function When({ at }: { at: string | undefined }) {
  if (!at) return <>—</>;
  return <time dateTime={at}>{at.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</time>;
}

/** A whole page as the response body. */
export function renderPage(page: ReactElement): string {
  return `<!doctype html>\n${renderToStaticMarkup(page)}`;
}

export interface Column<T> {
  label: string;
  /** Right-aligned figures. */
  num?: boolean;
  /** Read by screen readers only (an action column). */
  hiddenLabel?: boolean;
  cell: (row: T) => ReactNode;
}

/**
 * A table that turns into stacked cards on a phone: each cell repeats its column's label
 * (`data-label`, shown by the narrow stylesheet), so no row is wider than the screen.
 */
export function Table<T>({ columns, rows, rowKey, testId, rowTestId }: { columns: Column<T>[]; rows: T[]; rowKey: (row: T, index: number) => string; testId: string; rowTestId?: (row: T) => string }) {
  return (
    <table className="cards" data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.label} scope="col" className={c.num ? 'num' : undefined}>
              {c.hiddenLabel ? <span className="skip">{c.label}</span> : c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={rowKey(row, i)} data-testid={rowTestId?.(row)}>
            {columns.map((c) => (
              <td key={c.label} data-label={c.label} className={c.num ? 'num' : undefined}>
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
