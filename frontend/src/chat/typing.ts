/**
 * Typing indicators for the controller: the outgoing notifier of the open room (fed by the
 * composer) and the board of who is typing where (fed by `typing` events).
 */
import { TypingBoard, TypingNotifier } from '../state/typing';
import type { TypingEvent } from '../types';
import type { ChatStore, Transport } from './store';

/** A little over the board's staleness, so the re-render finds the indicator gone. */
const STALE_RERENDER_MS = 6_100;

export class Typing {
  readonly board = new TypingBoard();
  private notifier: TypingNotifier | null = null;
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly store: ChatStore,
    private readonly transport: Transport,
  ) {}

  /** The open room changed: the old room's notifier says `typing: false`, the new one gets its own. */
  roomOpened(roomId: number | null): void {
    this.notifier?.stop();
    this.notifier = null;
    if (roomId === null) return;
    this.notifier = new TypingNotifier((typing) => this.transport.fire('typing', { room_id: roomId, typing }));
  }

  composerInput(): void {
    this.notifier?.input();
  }

  /** The user stopped typing (sent, cleared the composer, left it). */
  composerIdle(): void {
    this.notifier?.stop();
  }

  onTyping(ev: TypingEvent): void {
    if (ev.user.id === this.store.me.id) return;
    this.store.users.set(ev.user.id, ev.user);
    this.board.apply(ev.room_id, ev.user, ev.typing, Date.now());
    this.store.emit({ type: 'typing', roomId: ev.room_id });
    // Re-render when an indicator goes stale without a `typing: false`.
    const old = this.timers.get(ev.room_id);
    if (old) clearTimeout(old);
    this.timers.set(
      ev.room_id,
      setTimeout(() => this.store.emit({ type: 'typing', roomId: ev.room_id }), STALE_RERENDER_MS),
    );
  }

  /** A message from someone ends their typing indicator. */
  clearUser(roomId: number, userId: number): void {
    if (this.board.clearUser(roomId, userId)) this.store.emit({ type: 'typing', roomId });
  }

  stop(): void {
    this.notifier?.stop();
    for (const t of this.timers.values()) clearTimeout(t);
  }
}
