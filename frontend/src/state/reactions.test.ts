import { describe, expect, it } from 'vitest';
import { PICKER_EMOJI, gridMove, reactionAction, reactionLabel, toggled } from './reactions';

const r = (emoji: string, ...ids: number[]) => ({ emoji, count: ids.length, user_ids: ids });

describe('reaction toggling', () => {
  it('adds when I have not reacted with it, removes when I have', () => {
    expect(reactionAction([], '👍', 1)).toBe('add');
    expect(reactionAction([r('👍', 2)], '👍', 1)).toBe('add');
    expect(reactionAction([r('👍', 2, 1)], '👍', 1)).toBe('remove');
    expect(reactionAction(undefined, '🎉', 1)).toBe('add');
  });

  it('toggled() keeps first-use order and drops a reaction at zero', () => {
    expect(toggled([r('👍', 2)], '🎉', 1)).toEqual([r('👍', 2), r('🎉', 1)]);
    expect(toggled([r('👍', 2)], '👍', 1)).toEqual([r('👍', 2, 1)]);
    expect(toggled([r('👍', 1), r('🎉', 2)], '👍', 1)).toEqual([r('🎉', 2)]);
    const before = [r('👍', 2, 1)];
    toggled(before, '👍', 1);
    expect(before).toEqual([r('👍', 2, 1)]); // pure
  });

  it('names a chip with who reacted', () => {
    const names = new Map([[2, 'Dave'], [3, 'Erin']]);
    const nameOf = (id: number) => names.get(id) ?? null;
    expect(reactionLabel(r('👍', 1), 1, nameOf)).toBe('👍 1 reaction: you');
    expect(reactionLabel(r('👍', 1, 2, 3), 1, nameOf)).toBe('👍 3 reactions: you, Dave and Erin');
    expect(reactionLabel({ emoji: '🎉', count: 3, user_ids: [2] }, 1, nameOf)).toBe('🎉 3 reactions: Dave and 2 more');
  });
});

describe('picker grid', () => {
  it('has a dozen emoji', () => {
    expect(PICKER_EMOJI).toHaveLength(12);
  });

  it('moves by cell and by row, wrapping', () => {
    expect(gridMove(0, 'ArrowRight', 12, 4)).toBe(1);
    expect(gridMove(11, 'ArrowRight', 12, 4)).toBe(0);
    expect(gridMove(0, 'ArrowLeft', 12, 4)).toBe(11);
    expect(gridMove(1, 'ArrowDown', 12, 4)).toBe(5);
    expect(gridMove(9, 'ArrowDown', 12, 4)).toBe(1);
    expect(gridMove(5, 'ArrowUp', 12, 4)).toBe(1);
    expect(gridMove(1, 'ArrowUp', 12, 4)).toBe(9);
    expect(gridMove(3, 'ArrowUp', 10, 4)).toBe(7); // a short last row
    expect(gridMove(3, 'Home', 12)).toBe(0);
    expect(gridMove(3, 'End', 12)).toBe(11);
    expect(gridMove(3, 'a', 12)).toBeNull();
  });
});
