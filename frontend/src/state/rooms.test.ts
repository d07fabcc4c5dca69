import { describe, expect, it } from 'vitest';
import { RoomList, roomTitle } from './rooms';
import { msg, room, user } from './fixtures';

const ids = (l: RoomList) => l.sorted().map((e) => e.room.id);

describe('RoomList', () => {
  it('keeps the server order, then moves a room with a new message to the top', () => {
    const l = new RoomList();
    l.setFromServer([room(3), room(1), room(2)]);
    expect(ids(l)).toEqual([3, 1, 2]);
    l.onMessage(msg(1, { room_id: 2 }), { me: 1, seeing: false });
    expect(ids(l)).toEqual([2, 3, 1]);
  });

  it('counts unread messages from others only, once each', () => {
    const l = new RoomList();
    l.setFromServer([room(1, { unread_count: 2, last_seq: 5 })]);
    expect(l.get(1)?.unread).toBe(2);
    const m6 = msg(6, { sender: user(2) });
    expect(l.onMessage(m6, { me: 1, seeing: false }).counted).toBe(true);
    expect(l.onMessage(m6, { me: 1, seeing: false }).fresh).toBe(false); // duplicate delivery
    l.onMessage(msg(7, { sender: user(1) }), { me: 1, seeing: false }); // my own
    l.onMessage(msg(8, { sender: user(2) }), { me: 1, seeing: true }); // looking at it
    expect(l.get(1)?.unread).toBe(3);
    expect(l.totalUnread()).toBe(3);
    l.markRead(1, 8);
    expect(l.get(1)?.unread).toBe(0);
  });

  it('does not count messages the server snapshot already included', () => {
    const l = new RoomList();
    l.setFromServer([room(1, { unread_count: 1, last_seq: 4 })]);
    l.onMessage(msg(4), { me: 1, seeing: false });
    expect(l.get(1)?.unread).toBe(1);
  });

  it('reports unknown rooms so the caller can refetch the list', () => {
    const l = new RoomList();
    expect(l.onMessage(msg(1, { room_id: 9 }), { me: 1, seeing: false }).known).toBe(false);
  });

  it('a refetched list drops rooms left and keeps newer local counts', () => {
    const l = new RoomList();
    l.setFromServer([room(1, { last_seq: 1 }), room(2)]);
    l.onMessage(msg(2, { room_id: 1 }), { me: 1, seeing: false });
    l.setFromServer([room(1, { last_seq: 1, unread_count: 0 })]);
    expect(ids(l)).toEqual([1]);
    expect(l.get(1)?.unread).toBe(1);
    expect(l.get(1)?.room.last_seq).toBe(2);
  });

  it('puts a newly created or joined room on top', () => {
    const l = new RoomList();
    l.setFromServer([room(1), room(2)]);
    l.upsertRoom(room(5), true);
    expect(ids(l)[0]).toBe(5);
  });

  it('names a DM after the peer', () => {
    expect(roomTitle(room(1, { kind: 'dm', name: 'dm', peer: { ...user(4, 'dora'), display_name: 'Dora' } }))).toBe('Dora');
    expect(roomTitle(room(1, { name: 'general' }))).toBe('general');
  });
});

describe('RoomList.applyUpdate (room:updated)', () => {
  it('takes the shared fields and keeps the caller\'s own role and unread count', () => {
    const l = new RoomList();
    l.setFromServer([room(1, { role: 'owner', unread_count: 3, last_seq: 9, topic: '' })]);
    expect(l.applyUpdate({ id: 1, name: 'renamed', topic: 'new topic', role: 'member', unread_count: 0, last_seq: 5 })).toBe(true);
    const e = l.get(1);
    expect(e?.room).toMatchObject({ name: 'renamed', topic: 'new topic', role: 'owner', unread_count: 3, last_seq: 9 });
    expect(e?.unread).toBe(3);
  });

  it('ignores rooms it does not hold', () => {
    expect(new RoomList().applyUpdate({ id: 7, name: 'x' })).toBe(false);
  });
});

describe('RoomList mentions (PROTOCOL §6 mention_count)', () => {
  it('starts from the server, counts live mentions and replies to me, clears on read', () => {
    const l = new RoomList();
    l.setFromServer([room(1, { unread_count: 2, mention_count: 1, last_seq: 5 })]);
    expect(l.get(1)?.mentions).toBe(1);
    l.onMessage(msg(6, { mentions: [1] }), { me: 1, seeing: false });
    l.onMessage(msg(7, { reply_to: { id: 1, seq: 1, sender: user(1), excerpt: '' } }), { me: 1, seeing: false });
    l.onMessage(msg(8, { mentions: [3] }), { me: 1, seeing: false });
    l.onMessage(msg(9, { mentions: [1] }), { me: 1, seeing: true }); // looking at it
    expect(l.get(1)?.mentions).toBe(3);
    expect(l.totalMentions()).toBe(3);
    l.markRead(1, 9);
    expect(l.get(1)?.mentions).toBe(0);
  });

  it('keeps its count through room:updated and takes notify from a room the caller changed', () => {
    const l = new RoomList();
    l.setFromServer([room(1, { mention_count: 2, last_seq: 3, unread_count: 2, notify: 'all' })]);
    l.applyUpdate({ id: 1, name: 'renamed' });
    expect(l.get(1)?.mentions).toBe(2);
    expect(l.get(1)?.room.notify).toBe('all');
    l.upsertRoom(room(1, { notify: 'none', last_seq: 3 }), false);
    expect(l.get(1)?.room.notify).toBe('none');
    expect(l.get(1)?.mentions).toBe(2);
  });
});
