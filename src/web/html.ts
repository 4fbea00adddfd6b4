/**
 * A tagged template that escapes every interpolated value, so no text from a request can become
 * markup. Nested templates (already safe) are inserted as they are.
 */
export class SafeHtml {
  constructor(readonly text: string) {}
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Interpolation = SafeHtml | string | number | undefined | null | false | Interpolation[];

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]!) : ''), ''));
}

/**
 * A complete, self-contained mobile page (no external assets): the cashier and the demo shop. Its
 * inline style runs under the response's CSP nonce (security-headers.ts).
 */
export function mobilePage(nonce: string, title: string, css: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style nonce="${nonce}">${new SafeHtml(css)}</style>
</head>
<body><main>${body}</main></body>
</html>`.text;
}
