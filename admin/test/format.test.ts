import { describe, expect, it } from 'vitest';
import { localDayEnd, localDayStart, minorDigits, money, moneyInput, parseMoney } from '../src/format';

describe('money', () => {
  it('reads what a person types, exactly, in minor units', () => {
    expect(parseMoney('12.5', 'gbp')).toBe(1250);
    expect(parseMoney('0.07', 'gbp')).toBe(7);
    expect(parseMoney('19,99', 'eur')).toBe(1999);
    expect(parseMoney('1000', 'jpy')).toBe(1000);
    expect(parseMoney('1.5', 'jpy')).toBeNull();
    expect(parseMoney('1.999', 'gbp')).toBeNull();
    expect(parseMoney('abc', 'gbp')).toBeNull();
    // 0.1 + 0.2 in floating point is not 0.3; here 0.30 is 30.
    expect(parseMoney('0.30', 'usd')).toBe(30);
  });

  it('writes minor units back the way they are read', () => {
    for (const n of [0, 7, 1250, 1999, 100000]) expect(parseMoney(moneyInput(n, 'gbp'), 'gbp')).toBe(n);
    expect(moneyInput(1250, 'gbp')).toBe('12.50');
    expect(moneyInput(1000, 'jpy')).toBe('1000');
    expect(minorDigits('gbp')).toBe(2);
  });

  it('formats in the shop’s currency', () => {
    expect(money(1250, 'gbp')).toContain('12.50');
    expect(money(1250, 'gbp')).toContain('£');
    expect(money(null, 'gbp')).toBe('—');
  });

  it('turns a local day into its UTC bounds', () => {
    const start = localDayStart('2026-03-01')!;
    const end = localDayEnd('2026-03-01')!;
    expect(new Date(end).getTime() - new Date(start).getTime()).toBe((24 * 3600 - 1) * 1000);
    expect(start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(localDayStart('')).toBeUndefined();
  });
});
