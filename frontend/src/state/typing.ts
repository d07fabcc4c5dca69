/**
 * Typing indicators, both ways. Pure logic with an injected clock and timer so it is testable.
 *
 * Outgoing: `TypingNotifier` turns every keystroke into at most one `typing: true` per interval,
 * and one `typing: false` after the user stops (or sends, or leaves the room).
 * Incoming: `TypingBoard` remembers who is typing where, forgetting anyone not heard from lately
 * (a lost `typing: false` must not leave a ghost indicator).
 */
import type { User } from '../types';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class TypingNotifier {
  private lastSentAt = -Infinity;
  private typing = false;
  private idleTimer: unknown = null;

  constructor(
    private readonly send: (typing: boolean) => void,
    private readonly clock: Clock = realClock,
    private readonly intervalMs = 3000,
    private readonly idleMs = 4000,
  ) {}

  /** Call on every edit of the composer. */
  input(): void {
    const now = this.clock.now();
    if (!this.typing || now - this.lastSentAt >= this.intervalMs) {
      this.typing = true;
      this.lastSentAt = now;
      this.send(true);
    }
    if (this.idleTimer !== null) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = this.clock.setTimeout(() => this.stop(), this.idleMs);
  }

  /** Call on send, blur, room change. Sends `false` only if `true` was sent. */
  stop(): void {
    if (this.idleTimer !== null) {
      this.clock.clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if (!this.typing) return;
    this.typing = false;
    this.lastSentAt = -Infinity;
    this.send(false);
  }
}

export class TypingBoard {
  private readonly rooms = new Map<number, Map<number, { user: User; until: number }>>();

  constructor(private readonly ttlMs = 6000) {}

  /** Record a `typing` event; returns true when the room's typers changed. */
  apply(roomId: number, user: User, typing: boolean, now: number): boolean {
    let room = this.rooms.get(roomId);
    if (typing) {
      if (room === undefined) {
        room = new Map();
        this.rooms.set(roomId, room);
      }
      const had = room.has(user.id);
      room.set(user.id, { user, until: now + this.ttlMs });
      return !had;
    }
    return room?.delete(user.id) ?? false;
  }

  /** Someone whose message arrived has stopped typing. */
  clearUser(roomId: number, userId: number): boolean {
    return this.rooms.get(roomId)?.delete(userId) ?? false;
  }

  typers(roomId: number, now: number): User[] {
    const room = this.rooms.get(roomId);
    if (room === undefined) return [];
    const users: User[] = [];
    for (const [id, t] of room) {
      if (t.until <= now) room.delete(id);
      else users.push(t.user);
    }
    return users;
  }
}

/** "alice is typing…", "alice and bob are typing…", "3 people are typing…". */
export function typingText(users: readonly User[]): string {
  const names = users.map((u) => u.display_name || u.username);
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}
