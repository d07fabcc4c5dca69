/** Test helpers: contract-shaped objects with sensible defaults. */
import type { Message, Room, User } from '../types';

export function user(id: number, username = `user${id}`): User {
  return { id, username, display_name: username, created_at: '2026-01-01T00:00:00Z' };
}

export function msg(seq: number, over: Partial<Message> = {}): Message {
  return {
    id: 1000 + seq,
    room_id: 1,
    seq,
    sender: user(2),
    body: `message ${seq}`,
    client_msg_id: `cid-${seq}`,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    edited_at: null,
    deleted: false,
    ...over,
  };
}

export function range(from: number, to: number, over: Partial<Message> = {}): Message[] {
  const out: Message[] = [];
  for (let s = from; s <= to; s++) out.push(msg(s, over));
  return out;
}

export function room(id: number, over: Partial<Room> = {}): Room {
  return {
    id,
    kind: 'public',
    name: `room ${id}`,
    created_at: '2026-01-01T00:00:00Z',
    member_count: 2,
    last_seq: 0,
    unread_count: 0,
    ...over,
  };
}
