/**
 * Parses a flat JSON object keeping every top-level value's raw text, because signatures cover the
 * values as sent: `12.40` must stay `12.40` (JSON.parse would make it 12.4), a nested object stays
 * its exact JSON text, a string is its unescaped value. Strict: anything that is not one JSON
 * object is an error.
 */
export type RawFields = Record<string, string | null>;

export class FlatJsonError extends Error {
  override name = 'FlatJsonError';
}

export function parseFlatJson(text: string): RawFields {
  let i = 0;
  const fail = (what: string): never => {
    throw new FlatJsonError(`${what} at position ${i}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const readString = (): string => {
    const start = i;
    if (text[i] !== '"') fail('expected a string');
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      // Bad escapes or raw control characters: still a FlatJsonError, never a bare SyntaxError.
      return fail('invalid string');
    }
  };
  /** Skips one JSON value and returns its raw text; JSON.parse validates it. */
  const readRawValue = (): string => {
    const start = i;
    const c = text[i];
    if (c === '"') {
      readString();
    } else if (c === '{' || c === '[') {
      let depth = 0;
      do {
        const ch = text[i];
        if (ch === '"') {
          readString();
          continue;
        }
        if (ch === '{' || ch === '[') depth++;
        else if (ch === '}' || ch === ']') depth--;
        i++;
      } while (depth > 0 && i < text.length);
      if (depth !== 0) fail('unbalanced brackets');
    } else {
      while (i < text.length && !',}] \t\n\r'.includes(text[i]!)) i++;
    }
    const raw = text.slice(start, i);
    try {
      JSON.parse(raw);
    } catch {
      fail('invalid value');
    }
    return raw;
  };

  const fields: RawFields = Object.create(null) as RawFields;
  ws();
  if (text[i] !== '{') fail('expected an object');
  i++;
  ws();
  if (text[i] === '}') {
    i++;
  } else {
    for (;;) {
      ws();
      const key = readString();
      ws();
      if (text[i] !== ':') fail('expected ":"');
      i++;
      ws();
      if (Object.prototype.hasOwnProperty.call(fields, key)) fail(`duplicate key ${JSON.stringify(key)}`);
      const raw = readRawValue();
      fields[key] = raw === 'null' ? null : raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        break;
      }
      fail('expected "," or "}"');
    }
  }
  ws();
  if (i !== text.length) fail('trailing characters');
  return { ...fields };
}
