/**
 * History read over REST: a room's latest page, older pages as the user scrolls up, the page
 * around one message (a jump to a quoted reply or a search result), and a message's replies.
 */
import type { Api } from '../api';
import type { RoomTimeline } from '../state/timeline';
import type { Message } from '../types';
import type { MessageFeed } from './feed';
import type { ReadTracker } from './receipts';
import type { ChatStore } from './store';

const PAGE = 50;
const AROUND_PAGE = 50;
const FILL_PAGE = 100;
/** A jump fills at most this many pages between the message and what is loaded. */
const MAX_FILL_PAGES = 20;
const REPLY_PAGE = 100;
const MAX_REPLY_PAGES = 10;

export class History {
  /** Rooms whose history is being fetched (for a spinner). */
  readonly loadingRooms = new Set<number>();
  /** Last error loading history, per room. */
  readonly historyErrors = new Map<number, string>();
  private readonly inflight = new Map<number, Promise<void>>();

  constructor(
    private readonly store: ChatStore,
    private readonly api: Api,
    private readonly feed: MessageFeed,
    private readonly reads: ReadTracker,
  ) {}

  loadLatest(roomId: number): Promise<void> {
    return this.fetchHistory(roomId, 'latest');
  }

  /** "Try again" after a failed history fetch. */
  retryHistory(roomId: number): Promise<void> {
    this.historyErrors.delete(roomId);
    return this.loadOlder(roomId);
  }

  loadOlder(roomId: number): Promise<void> {
    const tl = this.store.timeline(roomId);
    if (!tl.loadedLatest) return this.loadLatest(roomId); // the first page failed: try it again
    if (!tl.hasMoreBefore || this.historyErrors.has(roomId)) return Promise.resolve();
    return this.fetchHistory(roomId, 'older');
  }

  /** One fetch per room at a time: a call meanwhile shares the running one. */
  private fetchHistory(roomId: number, kind: 'latest' | 'older'): Promise<void> {
    const running = this.inflight.get(roomId);
    if (running) return running;
    const tl = this.store.timeline(roomId);
    const p = (async () => {
      this.loadingRooms.add(roomId);
      this.historyErrors.delete(roomId);
      this.store.emit({ type: 'timeline', roomId, reason: 'loading' });
      try {
        await (kind === 'latest' ? this.fetchLatest(roomId, tl) : this.fetchOlder(roomId, tl));
      } catch (err) {
        this.historyErrors.set(roomId, err instanceof Error ? err.message : 'Could not load messages.');
      } finally {
        this.loadingRooms.delete(roomId);
        this.inflight.delete(roomId);
      }
      this.store.emit({ type: 'timeline', roomId, reason: kind });
      if (tl.hasGap()) void this.feed.syncAll();
      this.reads.maybeSendRead();
    })();
    this.inflight.set(roomId, p);
    return p;
  }

  private async fetchLatest(roomId: number, tl: RoomTimeline): Promise<void> {
    const page = await this.api.history(roomId, { limit: PAGE });
    this.store.rememberSenders(page.messages);
    tl.mergePage(page.messages, page.has_more, 'latest');
    const last = page.messages[page.messages.length - 1];
    if (last) this.store.rooms.onMessage(last, { me: this.store.me.id, seeing: true });
  }

  private async fetchOlder(roomId: number, tl: RoomTimeline): Promise<void> {
    const oldest = tl.oldestSeq();
    const page = await this.api.history(roomId, oldest === null ? { limit: PAGE } : { before_seq: oldest, limit: PAGE });
    this.store.rememberSenders(page.messages);
    tl.mergePage(page.messages, page.has_more, oldest === null ? 'latest' : 'before');
  }

  /**
   * Make sure the message at `seq` is loaded, for a jump to it (a quoted reply, a search result).
   * Not loaded: the page around it (`around_seq`), then the pages between it and what is loaded,
   * so the timeline stays contiguous (at most 20 × 100 messages; further back → false).
   */
  async reveal(roomId: number, seq: number): Promise<boolean> {
    const tl = this.store.timeline(roomId);
    if (tl.get(seq)) return true;
    if (!tl.loadedLatest) await this.loadLatest(roomId);
    if (tl.get(seq)) return true;
    const oldest = tl.oldestSeq();
    if (oldest !== null && seq > oldest) return false; // a hole that sync fills, or a bad seq
    try {
      const got = await this.pagesFrom(roomId, seq, oldest);
      if (got === null) return false;
      this.store.rememberSenders(got);
      const first = got[0]?.seq ?? seq;
      tl.mergePage(got, first > 1, 'before');
    } catch (err) {
      console.warn('could not load the message', err);
      return false;
    }
    this.store.emit({ type: 'timeline', roomId, reason: 'older' });
    return tl.get(seq) !== undefined;
  }

  /** The page around `seq` and the pages up to `oldest` (exclusive); null when too far back. */
  private async pagesFrom(roomId: number, seq: number, oldest: number | null): Promise<Message[] | null> {
    const around = await this.api.history(roomId, { around_seq: seq, limit: AROUND_PAGE });
    const got = [...around.messages];
    let last = got[got.length - 1]?.seq ?? seq;
    for (let i = 0; oldest !== null && last < oldest - 1; i++) {
      if (i >= MAX_FILL_PAGES) return null;
      const page = await this.api.history(roomId, { after_seq: last, limit: FILL_PAGE });
      if (page.messages.length === 0) break;
      got.push(...page.messages.filter((m) => m.seq < oldest));
      last = page.messages[page.messages.length - 1]!.seq;
    }
    return got;
  }

  /** The replies to one message, ascending (`?replies_to=`, paged with `after_seq`). */
  async replies(roomId: number, messageId: number): Promise<Message[]> {
    const out: Message[] = [];
    let after: number | undefined;
    for (let i = 0; i < MAX_REPLY_PAGES; i++) {
      const page = await this.api.history(roomId, { replies_to: messageId, limit: REPLY_PAGE, ...(after !== undefined ? { after_seq: after } : {}) });
      this.store.rememberSenders(page.messages);
      out.push(...page.messages);
      const last = page.messages[page.messages.length - 1];
      if (!page.has_more || !last) break;
      after = last.seq;
    }
    return out;
  }
}
