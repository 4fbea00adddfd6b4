import fc from 'fast-check';
import { FlatJsonError, parseFlatJson } from '../../src/codepay/flat-json';

describe('parseFlatJson', () => {
  it('keeps numbers, nested values and literals as their raw text, strings unescaped', () => {
    expect(
      parseFlatJson('{ "amount": 12.40, "big": 12345678901234567890, "s": "a\\"b\\u00e9\\n", "o": {"x": [1, "}"]}, "a": [ ], "t": true, "n": null }'),
    ).toEqual({ amount: '12.40', big: '12345678901234567890', s: 'a"bé\n', o: '{"x": [1, "}"]}', a: '[ ]', t: 'true', n: null });
  });

  it('keeps a data string exactly, escapes and all', () => {
    const data = '{"pay_url":"https://pay.example/c?o=1&x=2","order_amount":"12.40"}';
    expect(parseFlatJson(JSON.stringify({ code: '0', data })).data).toBe(data);
  });

  it('reads an empty object and surrounding whitespace', () => {
    expect(parseFlatJson(' \n{ }\t')).toEqual({});
  });

  it('keeps a field named __proto__ as a field', () => {
    const fields = parseFlatJson('{"__proto__":"x","a":"1"}');
    expect(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
  });

  it.each([
    ['empty', ''],
    ['an array', '[1]'],
    ['a string', '"x"'],
    ['html', '<html>502 Bad Gateway</html>'],
    ['trailing text', '{"a":1} x'],
    ['two objects', '{"a":1}{"b":2}'],
    ['duplicate key', '{"a":1,"a":2}'],
    ['unterminated string', '{"a":"x'],
    ['unbalanced nesting', '{"a":{"b":1}'],
    ['bad number', '{"a":01}'],
    ['bare word', '{"a":yes}'],
    ['trailing comma', '{"a":1,}'],
    ['missing colon', '{"a" 1}'],
    ['single quotes', "{'a':1}"],
    ['raw control character', '{"a":"x\ny"}'],
    ['bad escape', '{"a":"\\q"}'],
  ])('rejects %s', (_name, text) => {
    expect(() => parseFlatJson(text)).toThrow(FlatJsonError);
  });

  it('agrees with JSON.parse on the values of any flat object', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value), fc.constantFrom(undefined, 2), (object, indent) => {
        const text = JSON.stringify(object, null, indent);
        const parsed = parseFlatJson(text);
        const reference = JSON.parse(text) as Record<string, unknown>;
        expect(Object.keys(parsed)).toEqual(Object.keys(reference));
        for (const [key, raw] of Object.entries(parsed)) {
          const expected = reference[key];
          if (expected === null) expect(raw).toBeNull();
          else if (typeof expected === 'string') expect(raw).toBe(expected);
          else expect(JSON.parse(raw!)).toEqual(expected);
        }
      }),
    );
  });
});
