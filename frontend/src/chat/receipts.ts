/**
 * Read receipts, both ways: whether the user is seeing the newest message of the open room (then
 * it is marked read and `read` goes to the server), and where the others have read up to.
 */
import { ReadReceipts } from '../state/receipts';
import type { ReadEvent } from '../types';
import type { ChatStore, Transport } from './store';

export class ReadTracker {
  /** Where the other members have read up to, per room. */
  readonly receipts = new ReadReceipts();
  private readonly lastReadSent = new Map<number, number>();
  private atBottom = true;
  private readonly onVisibility = (): void => this.maybeSendRead();

  constructor(
    private readonly store: ChatStore,
    private readonly transport: Transport,
    private readonly doc: Document = document,
    private readonly win: Window = window,
  ) {}

  /** Coming back to the tab or window may mean the newest message is now seen. */
  start(): void {
    this.doc.addEventListener('visibilitychange', this.onVisibility);
    this.win.addEventListener('focus', this.onVisibility);
  }

  stop(): void {
    this.doc.removeEventListener('visibilitychange', this.onVisibility);
    this.win.removeEventListener('focus', this.onVisibility);
  }

  /** A room was opened: unknown until the view has placed the list (it may open at the first unread). */
  roomOpened(): void {
    this.atBottom = false;
  }

  /** The view reports whether the newest message is on screen. */
  setViewport(roomId: number, atBottom: boolean): void {
    if (roomId !== this.store.activeRoomId) return;
    this.atBottom = atBottom;
    if (atBottom) this.maybeSendRead();
  }

  isSeeing(roomId: number): boolean {
    return roomId === this.store.activeRoomId && this.atBottom && this.doc.visibilityState === 'visible';
  }

  /** Mark the open room read up to its newest message, and tell the server once per new seq. */
  maybeSendRead(): void {
    const store = this.store;
    const roomId = store.activeRoomId;
    if (roomId === null || !this.isSeeing(roomId)) return;
    const msgs = store.timeline(roomId).messages();
    const last = msgs[msgs.length - 1];
    if (!last) return;
    const entry = store.rooms.get(roomId);
    const sent = this.lastReadSent.get(roomId) ?? 0;
    if (last.seq <= sent && (entry?.unread ?? 0) === 0) return;
    store.rooms.markRead(roomId, last.seq);
    store.emit({ type: 'rooms' });
    if (last.seq > sent && this.transport.fire('read', { room_id: roomId, seq: last.seq })) {
      this.lastReadSent.set(roomId, last.seq);
    }
  }

  /** PROTOCOL §6 `read`: another member's receipt, or this user's own read on another device. */
  onRead(ev: ReadEvent): void {
    if (ev.user_id === this.store.me.id) {
      this.store.rooms.markRead(ev.room_id, ev.seq);
      this.store.emit({ type: 'rooms' });
      return;
    }
    if (this.receipts.apply(ev.room_id, ev.user_id, ev.seq)) this.store.emit({ type: 'receipts', roomId: ev.room_id });
  }
}
