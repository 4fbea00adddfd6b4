import { isFinalTransStatus, parseTransStatus, TransStatus } from '../../src/codepay/trans-status';

describe('trans_status', () => {
  it.each([
    [2, 2],
    ['2', 2],
    [0, 0],
    ['0', 0],
    ['9', 9],
    ['17', 17],
  ])('reads %j as %d', (value, status) => {
    expect(parseTransStatus(value)).toBe(status);
  });

  it.each([-1, 1.5, '', ' 2', '2.0', '-1', 'paid', '1234', null, undefined, true, {}])('does not read %j', (value) => {
    expect(parseTransStatus(value)).toBeUndefined();
  });

  it('knows which statuses are final; unknown ones are not', () => {
    expect([TransStatus.CLOSED, TransStatus.SUCCESS, TransStatus.CANCELLED].every(isFinalTransStatus)).toBe(true);
    expect([TransStatus.CREATED, TransStatus.PAYING, 4, 17].some(isFinalTransStatus)).toBe(false);
  });
});
