import { canonicalString, canonicalValue } from '../../src/codepay/canonical';

describe('canonicalString', () => {
  it('matches the example of docs/codepay-protocol.md §5', () => {
    expect(
      canonicalString({
        timestamp: '1701763963536',
        method: 'order.query',
        app_id: 'A1',
        version: '1.0',
        sign_type: 'RSA2',
        merchant_order_no: 'M1701763963536',
        format: 'JSON',
        merchant_no: '312300000969',
        charset: 'UTF-8',
        sign: 'ignored',
      }),
    ).toBe(
      'app_id=A1&charset=UTF-8&format=JSON&merchant_no=312300000969&merchant_order_no=M1701763963536&method=order.query&sign_type=RSA2&timestamp=1701763963536&version=1.0',
    );
  });

  it('drops null, undefined and empty values but keeps sign_type and excludes sign', () => {
    expect(canonicalString({ b: '', a: null, c: undefined, sign_type: 'RSA2', sign: 'xyz', d: '0' })).toBe('d=0&sign_type=RSA2');
  });

  it('orders keys by byte value: upper case before "_" before lower case', () => {
    expect(canonicalString({ b: '1', a_b: '2', ab: '3', B: '4', a: '5', _x: '6', A: '7', a1: '8' })).toBe(
      'A=7&B=4&_x=6&a=5&a1=8&a_b=2&ab=3&b=1',
    );
  });

  it('orders non-ASCII keys by UTF-8 bytes, not UTF-16 units', () => {
    // By UTF-16 units U+10000 (D800 DC00) would come first; by UTF-8 bytes U+FF5E (EF BD 9E) does.
    expect(canonicalString({ '\uff5e': '1', '\u{10000}': '2' })).toBe('\uff5e=1&\u{10000}=2');
  });

  it('keeps values as their raw text: no URL-encoding, numbers as sent, nested JSON as text', () => {
    expect(
      canonicalString({
        amount: '12.40',
        count: 3,
        flag: true,
        nested: '{"a":1,"b":[1,2]}',
        object: { z: 1, a: '2' },
        url: 'https://x.example/a?b=c&d=e f',
      }),
    ).toBe('amount=12.40&count=3&flag=true&nested={"a":1,"b":[1,2]}&object={"z":1,"a":"2"}&url=https://x.example/a?b=c&d=e f');
  });

  it('gives no value for empty text, but "0" and false are values', () => {
    expect(canonicalValue('')).toBeUndefined();
    expect(canonicalValue(null)).toBeUndefined();
    expect(canonicalValue(0)).toBe('0');
    expect(canonicalValue(false)).toBe('false');
    expect(canonicalString({})).toBe('');
  });
});
