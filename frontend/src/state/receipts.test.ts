import { describe, expect, it } from 'vitest';
import { ReadReceipts, nearestAtOrBelow } from './receipts';

describe('ReadReceipts', () => {
  it('only moves forward', () => {
    const r = new ReadReceipts();
    expect(r.apply(1, 2, 5)).toBe(true);
    expect(r.apply(1, 2, 3)).toBe(false);
    expect(r.seqOf(1, 2)).toBe(5);
  });

  it('places receipts on the nearest loaded message, skipping me', () => {
    const r = new ReadReceipts();
    r.apply(1, 2, 5);
    r.apply(1, 3, 9);
    r.apply(1, 1, 9);
    const p = r.placements(1, [1, 2, 4, 9], 1);
    expect(p.get(4)).toEqual([2]);
    expect(p.get(9)).toEqual([3]);
  });

  it('binary-searches', () => {
    expect(nearestAtOrBelow([1, 3, 5], 4)).toBe(3);
    expect(nearestAtOrBelow([1, 3, 5], 0)).toBe(null);
    expect(nearestAtOrBelow([1, 3, 5], 9)).toBe(5);
  });
});
