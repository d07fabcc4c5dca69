import { describe, expect, it } from 'vitest';
import { type Clock, TypingBoard, TypingNotifier, typingText } from './typing';
import { user } from './fixtures';

function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let nextId = 1;
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout(h) {
      timers = timers.filter((t) => t.id !== h);
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      due.forEach((t) => t.fn());
    },
  };
}

describe('TypingNotifier', () => {
  it('throttles typing:true and sends typing:false after idling', () => {
    const sent: boolean[] = [];
    const clock = fakeClock();
    const n = new TypingNotifier((t) => sent.push(t), clock, 3000, 4000);
    n.input();
    clock.advance(500);
    n.input();
    clock.advance(500);
    n.input();
    expect(sent).toEqual([true]);
    clock.advance(2500);
    n.input(); // 3.5 s after the first: refresh
    expect(sent).toEqual([true, true]);
    clock.advance(4000);
    expect(sent).toEqual([true, true, false]);
  });

  it('stop() sends false once, and only after true', () => {
    const sent: boolean[] = [];
    const n = new TypingNotifier((t) => sent.push(t), fakeClock());
    n.stop();
    expect(sent).toEqual([]);
    n.input();
    n.stop();
    n.stop();
    expect(sent).toEqual([true, false]);
  });
});

describe('TypingBoard', () => {
  it('tracks typers per room and forgets silent ones', () => {
    const b = new TypingBoard(6000);
    b.apply(1, user(2, 'ann'), true, 0);
    b.apply(1, user(3, 'bob'), true, 1000);
    expect(typingText(b.typers(1, 2000))).toBe('ann and bob are typing…');
    b.apply(1, user(3, 'bob'), false, 2500);
    expect(typingText(b.typers(1, 3000))).toBe('ann is typing…');
    expect(b.typers(1, 7000)).toEqual([]);
    expect(b.typers(2, 0)).toEqual([]);
  });
});
