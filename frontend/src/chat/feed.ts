/**
 * The live side of the timelines: `message:new` and `message:updated` as they come, and `sync`,
 * which fetches every message after what this client holds contiguously (after a reconnect, or
 * when a gap shows up).
 */
import type { Message, SyncResult } from '../types';
import type { ReadTracker } from './receipts';
import type { Rooms } from './rooms';
import type { ChatStore, Transport } from './store';
import type { Typing } from './typing';

/** A sync stops after this many rounds even if the server still has more (the next one goes on). */
const MAX_SYNC_ROUNDS = 20;
const SYNC_TIMEOUT_MS = 15_000;
/** How much of a message an announcement for screen readers reads out. */
const ANNOUNCE_CHARS = 140;

export class MessageFeed {
  private syncing = false;
  private syncAgain = false;

  constructor(
    private readonly store: ChatStore,
    private readonly transport: Transport,
    private readonly rooms: Rooms,
    private readonly reads: ReadTracker,
    private readonly typing: Typing,
  ) {}

  /** Fetch every message after what this client holds contiguously, in every room. */
  async syncAll(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    if (!this.transport.connected) return;
    this.syncing = true;
    try {
      for (let round = 0; round < MAX_SYNC_ROUNDS; round++) {
        this.syncAgain = false;
        if (!(await this.syncRound())) break;
        if (!this.syncAgain) break;
      }
    } finally {
      this.syncing = false;
    }
  }

  /** One `sync` for every room; false when there was nothing to ask or the server refused. */
  private async syncRound(): Promise<boolean> {
    const rooms: Record<string, number> = {};
    for (const e of this.store.rooms.sorted()) {
      const tl = this.store.existingTimeline(e.room.id);
      // A room whose latest page is not loaded yet gets it when opened: only ask for news.
      rooms[String(e.room.id)] = !tl ? e.room.last_seq : tl.loadedLatest ? tl.lastContiguousSeq() : Math.max(tl.lastContiguousSeq(), e.room.last_seq);
    }
    if (Object.keys(rooms).length === 0) return false;
    const ack = await this.transport.emit<SyncResult>('sync', { rooms }, SYNC_TIMEOUT_MS);
    if (!ack.ok) return false;
    for (const [id, page] of Object.entries(ack.rooms ?? {})) {
      for (const m of page.messages) await this.onMessage(m, false);
      if (page.has_more) this.syncAgain = true;
      const tl = this.store.existingTimeline(Number(id));
      if (tl?.loadedLatest && tl.hasGap() && page.messages.length > 0) this.syncAgain = true;
    }
    return true;
  }

  /** A new message (`live`: a `message:new` event; otherwise from a sync page). */
  async onMessage(m: Message, live: boolean): Promise<void> {
    const store = this.store;
    if (!store.rooms.has(m.room_id)) {
      await this.rooms.refreshRooms(); // added to a room we did not know yet
      if (!store.rooms.has(m.room_id)) return;
    }
    store.users.set(m.sender.id, m.sender);
    const tl = store.timeline(m.room_id);
    const seeing = this.reads.isSeeing(m.room_id);
    const effect = store.rooms.onMessage(m, { me: store.me.id, seeing });
    const result = tl.upsert(m);
    this.typing.clearUser(m.room_id, m.sender.id);
    if (effect.fresh) store.emit({ type: 'rooms' });
    if (result === 'added' || result === 'updated') {
      store.emit({ type: 'timeline', roomId: m.room_id, reason: 'new', mine: m.sender.id === store.me.id });
      if (live && m.sender.id !== store.me.id && result === 'added' && !m.deleted) this.announce(m);
    }
    if (live && tl.loadedLatest && tl.hasGap()) void this.syncAll();
    if (m.room_id === store.activeRoomId) this.reads.maybeSendRead();
  }

  /** `message:updated`: an edit, a delete, new reaction or reply counts. */
  onUpdated(m: Message): void {
    this.rooms.previewUpdated(m);
    const tl = this.store.existingTimeline(m.room_id);
    if (!tl) return;
    const r = tl.applyUpdate(m);
    if (r === 'added' || r === 'updated') this.store.emit({ type: 'timeline', roomId: m.room_id, reason: 'update' });
  }

  /** Someone else's new message, read out by the live region. */
  private announce(m: Message): void {
    const where = this.store.activeRoomId === m.room_id ? '' : ` in ${this.store.roomLabel(m.room_id)}`;
    const files = m.attachments?.length ?? 0;
    const text = plain(m.body) || (files > 0 ? `sent ${files === 1 ? 'a file' : `${files} files`}` : '');
    this.store.emit({ type: 'announce', text: `${m.sender.display_name || m.sender.username}${where}: ${text}` });
  }
}

function plain(html: string): string {
  const text = new DOMParser().parseFromString(html, 'text/html').body.textContent ?? '';
  return text.length > ANNOUNCE_CHARS ? `${text.slice(0, ANNOUNCE_CHARS)}…` : text;
}
