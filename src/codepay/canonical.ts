/**
 * CodePay's string-to-sign (docs/codepay-protocol.md §5): every top-level field but `sign`, null/empty values
 * dropped, keys in ordinal byte order, `key=value` joined by `&`, values as their raw text.
 */
export type WireValue = string | number | boolean | null | undefined | object;

export function canonicalValue(value: WireValue): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === '' ? undefined : text;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function canonicalString(fields: Record<string, WireValue>): string {
  return Object.keys(fields)
    .filter((key) => key !== 'sign')
    .sort(compareBytes)
    .flatMap((key) => {
      const text = canonicalValue(fields[key]);
      return text === undefined ? [] : [`${key}=${text}`];
    })
    .join('&');
}
