import { describe, expect, it } from 'vitest';
import { msg, room, user } from '../state/fixtures';
import { FakeTransport } from './fakes';
import { ReadTracker } from './receipts';
import { ChatStore, type Change } from './store';

/** A document whose visibility the test sets; `visibilitychange` and `focus` are real events. */
function page(visible: boolean) {
  const doc = Object.assign(new EventTarget(), { visibilityState: visible ? 'visible' : 'hidden' });
  const win = new EventTarget();
  return { doc, win, show: () => ((doc.visibilityState = 'visible'), doc.dispatchEvent(new Event('visibilitychange'))) };
}

function setup(visible = true) {
  const store = new ChatStore(user(1, 'me'));
  store.rooms.setFromServer([room(1, { last_seq: 3, unread_count: 3 })]);
  store.timeline(1).mergePage([msg(1), msg(2), msg(3)], false, 'latest');
  const transport = new FakeTransport();
  const p = page(visible);
  const reads = new ReadTracker(store, transport, p.doc as unknown as Document, p.win as unknown as Window);
  const changes: Change[] = [];
  store.subscribe((c) => changes.push(c));
  return { store, transport, reads, changes, page: p };
}

describe('ReadTracker', () => {
  it('marks the open room read and sends `read` once when its newest message is on screen', () => {
    const { store, transport, reads } = setup();
    store.activeRoomId = 1;
    reads.roomOpened();
    reads.maybeSendRead();
    expect(transport.fired).toHaveLength(0); // not placed yet: nothing counts as read
    reads.setViewport(1, true);
    expect(transport.fired).toEqual([{ event: 'read', payload: { room_id: 1, seq: 3 } }]);
    expect(store.rooms.get(1)?.unread).toBe(0);
    reads.maybeSendRead();
    expect(transport.fired).toHaveLength(1);
  });

  it('waits while the tab is hidden and sends when it becomes visible', () => {
    const { store, transport, reads, page } = setup(false);
    reads.start();
    store.activeRoomId = 1;
    reads.setViewport(1, true);
    expect(transport.fired).toHaveLength(0);
    page.show();
    expect(transport.fired).toEqual([{ event: 'read', payload: { room_id: 1, seq: 3 } }]);
    reads.stop();
  });

  it('a viewport report for another room than the open one is ignored', () => {
    const { store, transport, reads } = setup();
    store.activeRoomId = 2;
    reads.setViewport(1, true);
    expect(reads.isSeeing(1)).toBe(false);
    expect(transport.fired).toHaveLength(0);
  });

  it("another member's `read` moves their receipt; this user's own marks the room read", () => {
    const { store, reads, changes } = setup();
    reads.onRead({ room_id: 1, user_id: 7, seq: 2 });
    expect(reads.receipts.seqOf(1, 7)).toBe(2);
    expect(changes).toEqual([{ type: 'receipts', roomId: 1 }]);
    reads.onRead({ room_id: 1, user_id: 1, seq: 3 });
    expect(store.rooms.get(1)?.unread).toBe(0);
    expect(changes.at(-1)).toEqual({ type: 'rooms' });
  });
});
