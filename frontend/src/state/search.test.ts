import { describe, expect, it } from 'vitest';
import { groupByRoom, nextCursor } from './search';
import { msg } from './fixtures';

const res = (id: number, roomId: number) => ({
  message: { ...msg(id, { room_id: roomId }), id },
  room: { id: roomId, name: `r${roomId}`, kind: 'public' as const },
  highlight: `<mark>x</mark> ${id}`,
});

describe('search results', () => {
  it('groups by room in order of the newest result, keeping the order inside, once each', () => {
    const groups = groupByRoom([res(9, 1), res(8, 2), res(7, 1), res(7, 1), res(6, 3)]);
    expect(groups.map((g) => g.room.id)).toEqual([1, 2, 3]);
    expect(groups[0]!.results.map((r) => r.message.id)).toEqual([9, 7]);
  });

  it('pages with the last message id', () => {
    expect(nextCursor([res(9, 1), res(4, 2)])).toBe(4);
    expect(nextCursor([])).toBeUndefined();
  });
});
