/**
 * What every part of the chat controller shares: the signed-in user, the people and rooms known,
 * the timelines, the open room, the connection state, and the change feed the view listens to.
 * Each concern (rooms, history, outbox, members, receipts, typing) gets this store passed in;
 * nothing here talks to the network.
 */
import type { ConnectionState } from '../realtime';
import { RoomList } from '../state/rooms';
import { RoomTimeline } from '../state/timeline';
import type { Ack, Message, NotificationEvent, User } from '../types';

export type TimelineReason = 'latest' | 'older' | 'new' | 'update' | 'pending' | 'loading';

export type Change =
  | { type: 'rooms' }
  | { type: 'timeline'; roomId: number; reason: TimelineReason; mine?: boolean }
  | { type: 'typing'; roomId: number }
  | { type: 'presence' }
  | { type: 'receipts'; roomId: number }
  | { type: 'members'; roomId: number }
  | { type: 'connection' }
  | { type: 'announce'; text: string }
  /** PROTOCOL §6 `notification`: a new message concerns this user (shown by ui/notifications.ts). */
  | { type: 'notification'; event: NotificationEvent }
  /**
   * The user is no longer in a room. `left`: by this client's own action; `gone`: noticed without a
   * reason (left elsewhere, or the `room:member_left` that precedes a kick); `kicked`/`deleted`:
   * `room:removed` (PROTOCOL §6).
   */
  | { type: 'removed'; roomId: number; reason: RemovalReason; banned?: boolean; name: string }
  | { type: 'expired' };

export type RemovalReason = 'left' | 'gone' | 'kicked' | 'deleted';

/** The part of `Realtime` the controller's parts use: acknowledged and fire-and-forget emits. */
export interface Transport {
  readonly connected: boolean;
  emit<T extends object = object>(event: string, payload: unknown, timeoutMs?: number): Promise<Ack<T>>;
  fire(event: string, payload: unknown): boolean;
}

export class ChatStore {
  readonly rooms = new RoomList();
  readonly users = new Map<number, User>();
  connection: ConnectionState = 'connecting';
  activeRoomId: number | null = null;
  private readonly timelines = new Map<number, RoomTimeline>();
  private readonly listeners = new Set<(c: Change) => void>();

  constructor(readonly me: User) {
    this.users.set(me.id, me);
  }

  get connected(): boolean {
    return this.connection === 'connected';
  }

  /** Presence is only known while connected (it comes as events); offline it is unknown. */
  get presenceKnown(): boolean {
    return this.connected;
  }

  subscribe(fn: (c: Change) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  unsubscribeAll(): void {
    this.listeners.clear();
  }

  emit(change: Change): void {
    for (const fn of this.listeners) fn(change);
  }

  /** The timeline of a room, made on first use (starting at the room's `last_seq` when known). */
  timeline(roomId: number): RoomTimeline {
    let tl = this.timelines.get(roomId);
    if (tl === undefined) {
      tl = new RoomTimeline(roomId, this.rooms.get(roomId)?.room.last_seq ?? 0);
      this.timelines.set(roomId, tl);
    }
    return tl;
  }

  /** The timeline of a room if one was made, without making one. */
  existingTimeline(roomId: number): RoomTimeline | undefined {
    return this.timelines.get(roomId);
  }

  allTimelines(): IterableIterator<[number, RoomTimeline]> {
    return this.timelines.entries();
  }

  dropTimeline(roomId: number): void {
    this.timelines.delete(roomId);
  }

  /** Remember the senders of messages (their names and avatars are shown with them). */
  rememberSenders(messages: readonly Message[]): void {
    for (const m of messages) this.users.set(m.sender.id, m.sender);
  }

  userName(id: number): string | null {
    const u = this.users.get(id);
    return u ? u.display_name || u.username : null;
  }

  /** How a room is named in a notice: its name, or "a direct message". */
  roomLabel(roomId: number): string {
    const r = this.rooms.get(roomId)?.room;
    if (!r) return 'another room';
    return r.kind === 'dm' ? 'a direct message' : r.name;
  }
}
