import { describe, expect, it } from 'vitest';
import type { Api } from '../api';
import { ReadReceipts } from '../state/receipts';
import { room, user } from '../state/fixtures';
import { RoomMembers } from './members';
import { Rooms } from './rooms';
import { ChatStore, type Change } from './store';

function setup(api: Partial<Api> = {}) {
  const me = user(1, 'me');
  const store = new ChatStore(me);
  store.rooms.setFromServer([room(5, { name: 'general' })]);
  const members = new RoomMembers(store, api as Api, new ReadReceipts());
  const rooms = new Rooms(store, api as Api, members);
  const removed: Change[] = [];
  store.subscribe((c) => {
    if (c.type === 'removed') removed.push(c);
  });
  return { store, rooms, removed, me };
}

describe('Rooms', () => {
  it('a kick (member_left, then room:removed) says why, under the name the room had', () => {
    const { store, rooms, removed, me } = setup();
    rooms.onMemberLeft({ room_id: 5, user: me });
    expect(store.rooms.has(5)).toBe(false);
    rooms.onRoomRemoved({ room_id: 5, reason: 'kicked', banned: true });
    expect(removed).toEqual([
      { type: 'removed', roomId: 5, reason: 'gone', name: 'general' },
      { type: 'removed', roomId: 5, reason: 'kicked', name: 'general', banned: true },
    ]);
  });

  it('our own leave gives one notice even when its member_left comes before the response', async () => {
    let answer!: () => void;
    const { store, rooms, removed, me } = setup({ leaveRoom: () => new Promise<void>((r) => (answer = r)) });
    const leaving = rooms.leaveRoom(5);
    rooms.onMemberLeft({ room_id: 5, user: me });
    rooms.onRoomRemoved({ room_id: 5, reason: 'kicked' });
    answer();
    await leaving;
    expect(store.rooms.has(5)).toBe(false);
    expect(removed).toEqual([{ type: 'removed', roomId: 5, reason: 'left', name: 'general' }]);
  });

  it('a failed leave keeps the room, and a later kick is reported', async () => {
    const { store, rooms, removed } = setup({ leaveRoom: () => Promise.reject(new Error('offline')) });
    await expect(rooms.leaveRoom(5)).rejects.toThrow('offline');
    expect(store.rooms.has(5)).toBe(true);
    rooms.onRoomRemoved({ room_id: 5, reason: 'deleted' });
    expect(removed).toEqual([{ type: 'removed', roomId: 5, reason: 'deleted', name: 'general' }]);
  });
});
