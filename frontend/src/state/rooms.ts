/**
 * The caller's rooms: most recent activity first, with unread counts that start from the
 * server's `unread_count` and then count live messages from others. Pure logic, no DOM.
 *
 * Ordering uses a monotonic "activity tick" rather than timestamps: the server's list order is
 * authoritative when it is fetched, and any message that arrives later is more recent than all
 * of it, so it moves its room to the top.
 */
import type { Message, Room } from '../types';
import { concernsUser } from './mentions';

export interface RoomEntry {
  room: Room;
  /** Higher = more recent activity. */
  tick: number;
  unread: number;
  /** Unread messages that mention this user or reply to them (PROTOCOL §6 `mention_count`). */
  mentions: number;
  /** Time of the latest message seen by this client, if any. */
  lastActivityAt: string | null;
}

export interface MessageEffect {
  /** False when the room is not in the list (the caller should refetch the list). */
  known: boolean;
  /** The message is newer than anything seen in that room so far. */
  fresh: boolean;
  /** The message raised the room's unread count. */
  counted: boolean;
}

export class RoomList {
  private readonly entries = new Map<number, RoomEntry>();
  private tick = 0;

  get size(): number {
    return this.entries.size;
  }

  get(id: number): RoomEntry | undefined {
    return this.entries.get(id);
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  /** Rooms, most recent activity first. */
  sorted(): RoomEntry[] {
    return [...this.entries.values()].sort((a, b) => b.tick - a.tick || b.room.id - a.room.id);
  }

  totalMentions(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.mentions;
    return n;
  }

  totalUnread(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.unread;
    return n;
  }

  /**
   * Replace the list with the server's (`GET /rooms`, already most-recent-first). Rooms missing
   * from it are dropped (left). A room for which this client has already seen newer messages than
   * the server's snapshot keeps its own count, so a race never loses or doubles a message.
   */
  setFromServer(rooms: readonly Room[]): void {
    const previous = new Map(this.entries);
    this.entries.clear();
    const base = this.tick + rooms.length;
    this.tick = base;
    rooms.forEach((room, index) => {
      const old = previous.get(room.id);
      const entry: RoomEntry = {
        room: { ...room },
        tick: base - index,
        unread: room.unread_count,
        mentions: room.mention_count ?? 0,
        lastActivityAt: latest(old?.lastActivityAt ?? null, room.last_activity_at ?? null),
      };
      if (old !== undefined && old.room.last_seq > room.last_seq) {
        entry.room.last_seq = old.room.last_seq;
        entry.unread = Math.max(old.unread, room.unread_count);
        entry.mentions = Math.max(old.mentions, room.mention_count ?? 0);
        entry.tick = old.tick > base ? old.tick : entry.tick;
      }
      this.entries.set(room.id, entry);
    });
  }

  /** Add or refresh one room (created, joined, added to, DM opened). */
  upsertRoom(room: Room, bump: boolean): RoomEntry {
    const old = this.entries.get(room.id);
    const entry: RoomEntry = old
      ? {
          ...old,
          room: { ...room, last_seq: Math.max(room.last_seq, old.room.last_seq) },
        }
      : { room: { ...room }, tick: 0, unread: room.unread_count, mentions: room.mention_count ?? 0, lastActivityAt: room.last_activity_at ?? null };
    if (bump || old === undefined) entry.tick = ++this.tick;
    this.entries.set(room.id, entry);
    return entry;
  }

  /**
   * `room:updated` (PROTOCOL §6): the room's shared fields changed. The event leaves out the
   * caller's own fields (`role`, `unread_count`), so those are kept; unknown rooms are ignored.
   */
  applyUpdate(update: Partial<Room> & { id: number }): boolean {
    const old = this.entries.get(update.id);
    if (old === undefined) return false;
    const { role, unread_count, mention_count, notify, last_seq, ...shared } = update;
    void role;
    void unread_count;
    void mention_count;
    void notify;
    old.room = { ...old.room, ...shared, last_seq: Math.max(last_seq ?? 0, old.room.last_seq) };
    return true;
  }

  remove(id: number): void {
    this.entries.delete(id);
  }

  /**
   * A message arrived (live or via sync). Moves the room to the top when the message is new to
   * this client and counts it as unread when it is from someone else and not being looked at.
   */
  onMessage(message: Message, opts: { me: number; seeing: boolean }): MessageEffect {
    const entry = this.entries.get(message.room_id);
    if (entry === undefined) return { known: false, fresh: false, counted: false };
    if (message.seq <= entry.room.last_seq) return { known: true, fresh: false, counted: false };
    entry.room = { ...entry.room, last_seq: message.seq };
    entry.tick = ++this.tick;
    entry.lastActivityAt = message.created_at;
    const counted = message.sender.id !== opts.me && !opts.seeing && !message.deleted;
    if (counted) entry.unread += 1;
    if (counted && concernsUser(message, opts.me)) entry.mentions += 1;
    return { known: true, fresh: true, counted };
  }

  /** The user has read the room up to `seq`. */
  markRead(roomId: number, seq: number): void {
    const entry = this.entries.get(roomId);
    if (entry === undefined) return;
    if (seq >= entry.room.last_seq) entry.unread = 0;
    else entry.unread = Math.min(entry.unread, entry.room.last_seq - seq);
    entry.mentions = Math.min(entry.mentions, entry.unread);
  }

  setMemberCount(roomId: number, delta: number): void {
    const entry = this.entries.get(roomId);
    if (entry === undefined) return;
    entry.room = { ...entry.room, member_count: Math.max(0, entry.room.member_count + delta) };
  }
}

function latest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/** The name to show for a room: a DM is named after the other person. */
export function roomTitle(room: Room): string {
  if (room.kind === 'dm' && room.peer) return room.peer.display_name || room.peer.username;
  return room.name;
}
