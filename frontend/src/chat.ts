/**
 * The chat controller: owns the client state (rooms, timelines, receipts, typing, presence),
 * feeds it from REST and Socket.IO, and tells the view what changed. No DOM here.
 */
import { Api } from './api';
import { MAX_BODY } from './limits';
import { Realtime, newClientMsgId, type ConnectionState } from './realtime';
import type { SessionManager } from './session';
import { ReadReceipts } from './state/receipts';
import { RoomList } from './state/rooms';
import { sendOutcome, sendPayload } from './state/outbox';
import { reactionAction } from './state/reactions';
import { RoomTimeline } from './state/timeline';
import { TypingBoard, TypingNotifier } from './state/typing';
import type {
  AckError,
  Attachment,
  Member,
  MemberEvent,
  Message,
  NotificationEvent,
  NotifyLevel,
  ReplyRef,
  PresenceEvent,
  ReadEvent,
  Role,
  Room,
  RoomRemovedEvent,
  SyncResult,
  TypingEvent,
  User,
} from './types';

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

const OFFLINE = 'no connection';
const SEND_TIMEOUT_MS = 10_000;

export class ChatController {
  readonly rooms = new RoomList();
  readonly receipts = new ReadReceipts();
  readonly typing = new TypingBoard();
  readonly online = new Set<number>();
  readonly users = new Map<number, User>();
  connection: ConnectionState = 'connecting';
  activeRoomId: number | null = null;
  roomsLoaded = false;
  /** Rooms whose history is being fetched (for a spinner). */
  readonly loadingRooms = new Set<number>();
  /** Last error loading history, per room. */
  readonly historyErrors = new Map<number, string>();
  /** Members of the rooms opened so far (`GET /rooms/{id}/members`), refreshed on open and on changes. */
  readonly members = new Map<number, Member[]>();
  /** The latest message of rooms not opened yet, for the room list (one history read each). */
  private readonly previews = new Map<number, Message>();
  private readonly previewsLoading = new Set<number>();

  private readonly timelines = new Map<number, RoomTimeline>();
  private readonly realtime: Realtime;
  private readonly listeners = new Set<(c: Change) => void>();
  private readonly lastReadSent = new Map<number, number>();
  private readonly inflightHistory = new Map<number, Promise<void>>();
  /** Messages refused as `unavailable`, waiting for their automatic retry. */
  private readonly busyTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /**
   * People this user blocked. The server has no route that lists them, so this client remembers
   * what it did (per user, in localStorage); another device's blocks are not known here.
   */
  readonly blocked: Set<number>;
  /** Users banned from a room by this client in this session (no route lists bans). */
  readonly bans = new Map<number, Map<number, User>>();
  /** Rooms this client was in and is not any more: their name, and whether it left by itself. */
  private readonly formerRooms = new Map<number, { name: string; byMe: boolean }>();
  private notifier: TypingNotifier | null = null;
  private atBottom = true;
  private syncing = false;
  private syncAgain = false;
  private roomsRefresh: Promise<void> | null = null;
  private roomsRefreshTimer: ReturnType<typeof setTimeout> | null = null;
  private typingTimers = new Map<number, ReturnType<typeof setTimeout>>();
  private readonly onVisibility = (): void => this.maybeSendRead();

  constructor(
    readonly api: Api,
    private readonly session: SessionManager,
    readonly me: User,
  ) {
    this.users.set(me.id, me);
    this.blocked = new Set(loadBlocked(me.id));
    this.realtime = new Realtime(session, {
      onState: (state) => {
        this.connection = state;
        if (state !== 'connected') this.goneOffline();
        this.emit({ type: 'connection' });
      },
      onConnected: () => void this.onConnected(),
      onExpired: () => this.emit({ type: 'expired' }),
    });
    const s = this.realtime.socket;
    s.on('message:new', (m: Message) => void this.onMessage(m, true));
    s.on('message:updated', (m: Message) => this.onUpdated(m));
    s.on('typing', (ev: TypingEvent) => this.onTyping(ev));
    s.on('presence', (ev: PresenceEvent) => this.onPresence(ev));
    s.on('read', (ev: ReadEvent) => this.onRead(ev));
    s.on('room:member_joined', (ev: MemberEvent) => this.onMemberJoined(ev));
    s.on('room:member_left', (ev: MemberEvent) => this.onMemberLeft(ev));
    s.on('room:updated', (room: Room) => this.onRoomUpdated(room));
    s.on('room:removed', (ev: RoomRemovedEvent) => this.onRoomRemoved(ev));
    s.on('user:updated', (u: User) => this.onUserUpdated(u));
    s.on('notification', (ev: NotificationEvent) => {
      if (ev?.message?.sender) this.users.set(ev.message.sender.id, ev.message.sender);
      this.emit({ type: 'notification', event: ev });
    });
  }

  subscribe(fn: (c: Change) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start(): void {
    document.addEventListener('visibilitychange', this.onVisibility);
    window.addEventListener('focus', this.onVisibility);
    this.realtime.start();
    void this.refreshRooms();
  }

  stop(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    window.removeEventListener('focus', this.onVisibility);
    this.notifier?.stop();
    this.realtime.stop();
    for (const t of this.typingTimers.values()) clearTimeout(t);
    for (const t of this.busyTimers.values()) clearTimeout(t);
    if (this.roomsRefreshTimer !== null) clearTimeout(this.roomsRefreshTimer);
    this.listeners.clear();
  }

  get connected(): boolean {
    return this.connection === 'connected';
  }

  /** Presence is only known while connected (it comes as events); offline it is unknown. */
  get presenceKnown(): boolean {
    return this.connected;
  }

  /** The newest message known in a room: from its timeline, or the preview read for the room list. */
  lastMessage(roomId: number): Message | undefined {
    const msgs = this.timelines.get(roomId)?.messages() ?? [];
    const last = msgs[msgs.length - 1];
    const preview = this.previews.get(roomId);
    if (!last) return preview;
    return preview && preview.seq > last.seq ? preview : last;
  }

  timeline(roomId: number): RoomTimeline {
    let tl = this.timelines.get(roomId);
    if (tl === undefined) {
      tl = new RoomTimeline(roomId, this.rooms.get(roomId)?.room.last_seq ?? 0);
      this.timelines.set(roomId, tl);
    }
    return tl;
  }

  userName(id: number): string | null {
    const u = this.users.get(id);
    return u ? u.display_name || u.username : null;
  }

  // --- rooms ----------------------------------------------------------------------------------

  refreshRooms(): Promise<void> {
    if (this.roomsRefresh) return this.roomsRefresh;
    this.roomsRefresh = (async () => {
      try {
        const rooms = await this.api.rooms();
        const before = new Set(this.rooms.sorted().map((e) => e.room.id));
        const roles = new Map(this.rooms.sorted().map((e) => [e.room.id, e.room.role ?? null]));
        this.rooms.setFromServer(rooms);
        for (const r of rooms) {
          this.formerRooms.delete(r.id);
          if (r.peer) this.users.set(r.peer.id, r.peer);
          // A timeline made before the list was known (a room opened by URL) starts at last_seq.
          const tl = this.timelines.get(r.id);
          if (tl && !tl.loadedLatest && tl.size === 0) tl.floor = Math.max(tl.floor, r.last_seq);
        }
        this.roomsLoaded = true;
        for (const id of before) if (!this.rooms.has(id)) this.forget(id, 'gone');
        this.emit({ type: 'rooms' });
        // A new role changes what the user may do to messages (moderator delete).
        for (const r of rooms) {
          if (roles.has(r.id) && roles.get(r.id) !== (r.role ?? null)) this.emit({ type: 'timeline', roomId: r.id, reason: 'update' });
        }
        void this.loadPreviews();
      } catch (err) {
        console.warn('could not load rooms', err);
      } finally {
        this.roomsRefresh = null;
      }
    })();
    return this.roomsRefresh;
  }

  /** One `limit=1` history read per room whose latest message this client does not hold. */
  private async loadPreviews(): Promise<void> {
    const wanted = this.rooms
      .sorted()
      .map((e) => e.room)
      .filter((r) => r.last_seq > 0 && (this.lastMessage(r.id)?.seq ?? 0) < r.last_seq && !this.previewsLoading.has(r.id));
    for (const r of wanted) this.previewsLoading.add(r.id);
    for (let i = 0; i < wanted.length; i += 4) {
      await Promise.all(
        wanted.slice(i, i + 4).map(async (r) => {
          try {
            const last = (await this.api.history(r.id, { limit: 1 })).messages.at(-1);
            if (last) {
              this.users.set(last.sender.id, last.sender);
              this.previews.set(r.id, last);
            }
          } catch {
            // The list shows the room's kind instead.
          } finally {
            this.previewsLoading.delete(r.id);
          }
        }),
      );
      this.emit({ type: 'rooms' });
    }
  }


  /** Members with presence and read markers: "Seen by" and the member list right after opening. */
  async loadMembers(roomId: number): Promise<void> {
    let list: Member[];
    try {
      list = await this.api.members(roomId);
    } catch (err) {
      console.warn('could not load members', err);
      return;
    }
    if (!this.rooms.has(roomId)) return;
    this.members.set(roomId, list);
    let receipts = false;
    for (const m of list) {
      this.users.set(m.id, { id: m.id, username: m.username, display_name: m.display_name, created_at: m.created_at, avatar_url: m.avatar_url ?? null });
      if (m.id !== this.me.id && this.receipts.apply(roomId, m.id, m.last_read_seq)) receipts = true;
      if (this.presenceKnown && m.id !== this.me.id) {
        if (m.online) this.online.add(m.id);
        else this.online.delete(m.id);
      }
    }
    if (receipts) this.emit({ type: 'receipts', roomId });
    this.emit({ type: 'members', roomId });
    this.emit({ type: 'presence' });
  }

  private refreshRoomsSoon(): void {
    if (this.roomsRefreshTimer !== null) return;
    this.roomsRefreshTimer = setTimeout(() => {
      this.roomsRefreshTimer = null;
      void this.refreshRooms();
    }, 300);
  }

  async createRoom(name: string, kind: 'public' | 'private'): Promise<Room> {
    return this.adopt(await this.api.createRoom(name, kind));
  }

  async joinRoom(id: number): Promise<Room> {
    return this.adopt(await this.api.joinRoom(id));
  }

  async addMember(roomId: number, user: User): Promise<Room> {
    this.users.set(user.id, user);
    const room = await this.api.addMember(roomId, user.id);
    this.rooms.upsertRoom(room, false);
    this.emit({ type: 'rooms' });
    void this.loadMembers(roomId);
    return room;
  }

  async openDm(user: User): Promise<Room> {
    this.users.set(user.id, user);
    return this.adopt(await this.api.openDm(user.id));
  }

  async leaveRoom(roomId: number): Promise<void> {
    await this.leaving(roomId, () => this.api.leaveRoom(roomId));
    this.forget(roomId, 'left');
  }

  /** Our own leave or delete: its `room:member_left`/`room:removed` may arrive before the response. */
  private async leaving(roomId: number, call: () => Promise<void>): Promise<void> {
    this.formerRooms.set(roomId, { name: this.roomLabel(roomId), byMe: true });
    try {
      await call();
    } catch (err) {
      this.formerRooms.delete(roomId);
      throw err;
    }
  }

  /** Drop a room this user is no longer in, and say why. */
  private forget(roomId: number, reason: RemovalReason, banned = false): void {
    // A kick arrives as `room:member_left` (gone) and then `room:removed` (why): the name is kept
    // for the second. Our own leave or delete needs no second notice.
    if (this.rooms.has(roomId) && !this.formerRooms.get(roomId)?.byMe) {
      this.formerRooms.set(roomId, { name: this.roomLabel(roomId), byMe: reason === 'left' });
    }
    const former = this.formerRooms.get(roomId);
    if (!former || (former.byMe && reason !== 'left')) return;
    this.rooms.remove(roomId);
    this.timelines.delete(roomId);
    this.members.delete(roomId);
    this.previews.delete(roomId);
    this.emit({ type: 'removed', roomId, reason, name: former.name, ...(banned ? { banned } : {}) });
    this.emit({ type: 'rooms' });
  }

  // --- room settings and moderation (PROTOCOL §6) -----------------------------------------------

  /** The caller's role in a room (a DM has none that matters). */
  role(roomId: number): Role | null {
    const room = this.rooms.get(roomId)?.room;
    if (!room || room.kind === 'dm') return null;
    return room.role ?? null;
  }

  /** Admins and the owner may rename, kick, ban and delete others' messages. */
  canModerate(roomId: number): boolean {
    const r = this.role(roomId);
    return r === 'owner' || r === 'admin';
  }

  async updateRoom(roomId: number, fields: { name?: string; topic?: string }): Promise<Room> {
    const room = await this.api.updateRoom(roomId, fields);
    this.rooms.upsertRoom(room, false);
    this.emit({ type: 'rooms' });
    return room;
  }

  async deleteRoom(roomId: number): Promise<void> {
    await this.leaving(roomId, () => this.api.deleteRoom(roomId));
    this.forget(roomId, 'left');
  }

  async setRole(roomId: number, userId: number, role: 'admin' | 'member'): Promise<void> {
    await this.api.setRole(roomId, userId, role);
    await this.loadMembers(roomId);
  }

  async kick(roomId: number, userId: number): Promise<void> {
    await this.api.kick(roomId, userId);
    await this.loadMembers(roomId);
  }

  async ban(roomId: number, user: User): Promise<void> {
    await this.api.ban(roomId, user.id);
    let list = this.bans.get(roomId);
    if (!list) this.bans.set(roomId, (list = new Map()));
    list.set(user.id, user);
    await this.loadMembers(roomId);
  }

  async unban(roomId: number, userId: number): Promise<void> {
    await this.api.unban(roomId, userId);
    this.bans.get(roomId)?.delete(userId);
    this.emit({ type: 'members', roomId });
  }

  // --- profile and blocking ---------------------------------------------------------------------

  async updateProfile(displayName: string): Promise<User> {
    const user = await this.api.updateProfile({ display_name: displayName });
    this.onUserUpdated(user);
    return user;
  }

  async setBlocked(user: User, blocked: boolean): Promise<void> {
    if (blocked) await this.api.block(user.id);
    else await this.api.unblock(user.id);
    if (blocked) this.blocked.add(user.id);
    else this.blocked.delete(user.id);
    saveBlocked(this.me.id, this.blocked);
    this.emit({ type: 'presence' });
    if (this.activeRoomId !== null) this.emit({ type: 'members', roomId: this.activeRoomId });
  }

  private adopt(room: Room): Room {
    this.formerRooms.delete(room.id);
    if (room.peer) this.users.set(room.peer.id, room.peer);
    this.rooms.upsertRoom(room, !this.rooms.has(room.id));
    this.emit({ type: 'rooms' });
    return room;
  }

  // --- the open conversation ------------------------------------------------------------------

  openRoom(roomId: number | null): void {
    if (this.activeRoomId === roomId) return;
    this.notifier?.stop();
    this.notifier = null;
    this.activeRoomId = roomId;
    // Unknown until the view has placed the list (it may open at the first unread, not the end).
    this.atBottom = false;
    if (roomId === null) return;
    this.notifier = new TypingNotifier((typing) => this.realtime.fire('typing', { room_id: roomId, typing }));
    void this.loadMembers(roomId);
    const tl = this.timeline(roomId);
    if (!tl.loadedLatest) void this.loadLatest(roomId);
    else this.maybeSendRead();
  }

  /** The view reports whether the newest message is on screen. */
  setViewport(roomId: number, atBottom: boolean): void {
    if (roomId !== this.activeRoomId) return;
    this.atBottom = atBottom;
    if (atBottom) this.maybeSendRead();
  }

  composerInput(): void {
    this.notifier?.input();
  }

  composerIdle(): void {
    this.notifier?.stop();
  }

  loadLatest(roomId: number): Promise<void> {
    return this.fetchHistory(roomId, 'latest');
  }

  /** "Try again" after a failed history fetch. */
  retryHistory(roomId: number): Promise<void> {
    this.historyErrors.delete(roomId);
    return this.loadOlder(roomId);
  }

  loadOlder(roomId: number): Promise<void> {
    const tl = this.timeline(roomId);
    if (!tl.loadedLatest) return this.loadLatest(roomId); // the first page failed: try it again
    if (!tl.hasMoreBefore || this.historyErrors.has(roomId)) return Promise.resolve();
    return this.fetchHistory(roomId, 'older');
  }

  private fetchHistory(roomId: number, kind: 'latest' | 'older'): Promise<void> {
    const running = this.inflightHistory.get(roomId);
    if (running) return running;
    const tl = this.timeline(roomId);
    const p = (async () => {
      this.loadingRooms.add(roomId);
      this.historyErrors.delete(roomId);
      this.emit({ type: 'timeline', roomId, reason: 'loading' });
      try {
        if (kind === 'latest') {
          const page = await this.api.history(roomId, { limit: 50 });
          for (const m of page.messages) this.users.set(m.sender.id, m.sender);
          tl.mergePage(page.messages, page.has_more, 'latest');
          const last = page.messages[page.messages.length - 1];
          if (last) this.rooms.onMessage(last, { me: this.me.id, seeing: true });
        } else {
          const oldest = tl.oldestSeq();
          const page = await this.api.history(roomId, oldest === null ? { limit: 50 } : { before_seq: oldest, limit: 50 });
          for (const m of page.messages) this.users.set(m.sender.id, m.sender);
          tl.mergePage(page.messages, page.has_more, oldest === null ? 'latest' : 'before');
        }
      } catch (err) {
        this.historyErrors.set(roomId, err instanceof Error ? err.message : 'Could not load messages.');
      } finally {
        this.loadingRooms.delete(roomId);
        this.inflightHistory.delete(roomId);
      }
      this.emit({ type: 'timeline', roomId, reason: kind });
      if (tl.hasGap()) void this.syncAll();
      this.maybeSendRead();
    })();
    this.inflightHistory.set(roomId, p);
    return p;
  }

  // --- sending --------------------------------------------------------------------------------

  /** Optimistically add the message and send it; returns an error to show, or null. */
  send(roomId: number, text: string, opts: { replyTo?: ReplyRef; attachments?: readonly Attachment[] } = {}): string | null {
    const attachments = opts.attachments ?? [];
    const body = text.trim();
    // With files (PROTOCOL §6) the body may be empty.
    if (body.length === 0 && attachments.length === 0) return null;
    if (body.length > MAX_BODY) return `Messages are limited to ${MAX_BODY} characters.`;
    const tl = this.timeline(roomId);
    const clientMsgId = newClientMsgId();
    tl.addPending({
      clientMsgId,
      roomId,
      body,
      sender: this.me,
      createdAt: new Date().toISOString(),
      ...(opts.replyTo ? { replyTo: opts.replyTo } : {}),
      ...(attachments.length > 0 ? { attachments: [...attachments] } : {}),
    });
    this.notifier?.stop();
    this.emit({ type: 'timeline', roomId, reason: 'pending', mine: true });
    void this.deliver(roomId, clientMsgId);
    return null;
  }

  /** Send a failed message again, with the same client_msg_id so the server can dedupe it. */
  retry(roomId: number, clientMsgId: string): void {
    const tl = this.timeline(roomId);
    if (!tl.getPending(clientMsgId)) return;
    tl.markSending(clientMsgId);
    this.emit({ type: 'timeline', roomId, reason: 'pending' });
    void this.deliver(roomId, clientMsgId);
  }

  discard(roomId: number, clientMsgId: string): void {
    clearTimeout(this.busyTimers.get(clientMsgId));
    this.busyTimers.delete(clientMsgId);
    this.timeline(roomId).discardPending(clientMsgId);
    this.emit({ type: 'timeline', roomId, reason: 'pending' });
  }

  private async deliver(roomId: number, clientMsgId: string): Promise<void> {
    const tl = this.timeline(roomId);
    const p = tl.getPending(clientMsgId);
    if (!p) return;
    if (!this.realtime.connected) {
      // Say so at once; it goes out by itself after reconnecting (onConnected).
      tl.markQueued(clientMsgId);
      this.emit({ type: 'timeline', roomId, reason: 'pending' });
      return;
    }
    const ack = await this.realtime.emit<{ client_msg_id: string }>('message:send', sendPayload(p), SEND_TIMEOUT_MS);
    const outcome = sendOutcome(ack, this.realtime.connected);
    switch (outcome.kind) {
      case 'sent':
        tl.markSent(clientMsgId);
        break;
      case 'queued':
        tl.markQueued(clientMsgId); // the connection dropped meanwhile: waits for the next one
        break;
      case 'busy':
        // Overloaded: not queued by the server; the same client_msg_id goes again after retry_after.
        tl.markBusy(clientMsgId);
        this.scheduleBusyRetry(roomId, clientMsgId, outcome.retryInMs);
        break;
      case 'failed':
        tl.markFailed(clientMsgId, outcome.error.code === 'timeout' ? OFFLINE : sendErrorText(outcome.error), outcome.retryable);
        break;
    }
    this.emit({ type: 'timeline', roomId, reason: 'pending' });
  }

  private scheduleBusyRetry(roomId: number, clientMsgId: string, delayMs: number): void {
    clearTimeout(this.busyTimers.get(clientMsgId));
    this.busyTimers.set(
      clientMsgId,
      setTimeout(() => {
        this.busyTimers.delete(clientMsgId);
        if (this.timelines.get(roomId)?.getPending(clientMsgId)?.state === 'busy') this.retry(roomId, clientMsgId);
      }, delayMs),
    );
  }

  async edit(message: Message, body: string): Promise<string | null> {
    const text = body.trim();
    if (text.length === 0) return 'A message cannot be empty. Delete it instead.';
    if (text.length > MAX_BODY) return `Messages are limited to ${MAX_BODY} characters.`;
    const ack = await this.realtime.emit('message:edit', { message_id: message.id, body: text });
    return ack.ok ? null : ack.error.message;
  }

  async remove(message: Message): Promise<string | null> {
    const ack = await this.realtime.emit('message:delete', { message_id: message.id });
    return ack.ok ? null : ack.error.message;
  }

  // --- conversations: reactions, replies, notify level, jumping to a message (PROTOCOL §6) -----

  /** Toggle this user's reaction: `reaction:remove` when they already reacted with it, else `reaction:add`. */
  async react(message: Message, emoji: string): Promise<string | null> {
    const action = reactionAction(message.reactions, emoji, this.me.id);
    const ack = await this.realtime.emit(`reaction:${action}`, { message_id: message.id, emoji });
    if (ack.ok) return null;
    return ack.error.code === 'timeout' && !this.connected ? 'no connection' : ack.error.message;
  }

  /** The replies to one message, ascending (`?replies_to=`, paged with `after_seq`). */
  async replies(roomId: number, messageId: number): Promise<Message[]> {
    const out: Message[] = [];
    let after: number | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await this.api.history(roomId, { replies_to: messageId, limit: 100, ...(after !== undefined ? { after_seq: after } : {}) });
      for (const m of page.messages) this.users.set(m.sender.id, m.sender);
      out.push(...page.messages);
      const last = page.messages[page.messages.length - 1];
      if (!page.has_more || !last) break;
      after = last.seq;
    }
    return out;
  }

  async setNotify(roomId: number, notify: NotifyLevel): Promise<void> {
    const room = await this.api.setNotify(roomId, notify);
    this.rooms.upsertRoom({ ...room, notify: room.notify ?? notify }, false);
    this.emit({ type: 'rooms' });
  }

  /**
   * Make sure the message at `seq` is loaded, for a jump to it (a quoted reply, a search result).
   * Not loaded: the page around it (`around_seq`), then the pages between it and what is loaded,
   * so the timeline stays contiguous (at most 20 × 100 messages; further back → false).
   */
  async reveal(roomId: number, seq: number): Promise<boolean> {
    const tl = this.timeline(roomId);
    if (tl.get(seq)) return true;
    if (!tl.loadedLatest) await this.loadLatest(roomId);
    if (tl.get(seq)) return true;
    const oldest = tl.oldestSeq();
    if (oldest !== null && seq > oldest) return false; // a hole that sync fills, or a bad seq
    try {
      const around = await this.api.history(roomId, { around_seq: seq, limit: 50 });
      const got = [...around.messages];
      let last = got[got.length - 1]?.seq ?? seq;
      for (let i = 0; oldest !== null && last < oldest - 1; i++) {
        if (i >= 20) return false;
        const page = await this.api.history(roomId, { after_seq: last, limit: 100 });
        if (page.messages.length === 0) break;
        got.push(...page.messages.filter((m) => m.seq < oldest));
        last = page.messages[page.messages.length - 1]!.seq;
      }
      for (const m of got) this.users.set(m.sender.id, m.sender);
      const first = got[0]?.seq ?? seq;
      tl.mergePage(got, first > 1, 'before');
    } catch (err) {
      console.warn('could not load the message', err);
      return false;
    }
    this.emit({ type: 'timeline', roomId, reason: 'older' });
    return tl.get(seq) !== undefined;
  }

  // --- incoming -------------------------------------------------------------------------------

  private async onConnected(): Promise<void> {
    await this.refreshRooms();
    const active = this.activeRoomId;
    if (active !== null && !this.timeline(active).loadedLatest) void this.loadLatest(active);
    if (active !== null) void this.loadMembers(active);
    await this.syncAll();
    // Messages written or timed out while offline go out now, under the same client_msg_id.
    for (const e of this.rooms.sorted()) {
      const tl = this.timelines.get(e.room.id);
      if (!tl) continue;
      for (const p of tl.pendingMessages()) {
        if (p.state === 'queued' || (p.state === 'failed' && p.error === OFFLINE)) this.retry(e.room.id, p.clientMsgId);
      }
    }
    this.maybeSendRead();
  }

  /** Fetch every message after what this client holds contiguously, in every room. */
  async syncAll(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    if (!this.realtime.connected) return;
    this.syncing = true;
    try {
      for (let round = 0; round < 20; round++) {
        this.syncAgain = false;
        const rooms: Record<string, number> = {};
        for (const e of this.rooms.sorted()) {
          const tl = this.timelines.get(e.room.id);
          // A room whose latest page is not loaded yet gets it when opened: only ask for news.
          rooms[String(e.room.id)] = !tl ? e.room.last_seq : tl.loadedLatest ? tl.lastContiguousSeq() : Math.max(tl.lastContiguousSeq(), e.room.last_seq);
        }
        if (Object.keys(rooms).length === 0) break;
        const ack = await this.realtime.emit<SyncResult>('sync', { rooms }, 15_000);
        if (!ack.ok) break;
        for (const [id, page] of Object.entries(ack.rooms ?? {})) {
          for (const m of page.messages) await this.onMessage(m, false);
          if (page.has_more) this.syncAgain = true;
          const tl = this.timelines.get(Number(id));
          if (tl?.loadedLatest && tl.hasGap() && page.messages.length > 0) this.syncAgain = true;
        }
        if (!this.syncAgain) break;
      }
    } finally {
      this.syncing = false;
    }
  }

  private async onMessage(m: Message, live: boolean): Promise<void> {
    if (!this.rooms.has(m.room_id)) {
      await this.refreshRooms(); // added to a room we did not know yet
      if (!this.rooms.has(m.room_id)) return;
    }
    this.users.set(m.sender.id, m.sender);
    const tl = this.timeline(m.room_id);
    const seeing = this.isSeeing(m.room_id);
    const effect = this.rooms.onMessage(m, { me: this.me.id, seeing });
    const result = tl.upsert(m);
    if (this.typing.clearUser(m.room_id, m.sender.id)) this.emit({ type: 'typing', roomId: m.room_id });
    if (effect.fresh) this.emit({ type: 'rooms' });
    if (result === 'added' || result === 'updated') {
      this.emit({ type: 'timeline', roomId: m.room_id, reason: 'new', mine: m.sender.id === this.me.id });
      if (live && m.sender.id !== this.me.id && result === 'added' && !m.deleted) {
        const where = this.activeRoomId === m.room_id ? '' : ` in ${this.roomLabel(m.room_id)}`;
        const files = m.attachments?.length ?? 0;
        const text = plain(m.body) || (files > 0 ? `sent ${files === 1 ? 'a file' : `${files} files`}` : '');
        this.emit({ type: 'announce', text: `${m.sender.display_name || m.sender.username}${where}: ${text}` });
      }
    }
    if (live && tl.loadedLatest && tl.hasGap()) void this.syncAll();
    if (m.room_id === this.activeRoomId) this.maybeSendRead();
  }

  private onUpdated(m: Message): void {
    const preview = this.previews.get(m.room_id);
    if (preview?.id === m.id) {
      this.previews.set(m.room_id, m);
      this.emit({ type: 'rooms' });
    }
    const tl = this.timelines.get(m.room_id);
    if (!tl) return;
    const r = tl.applyUpdate(m);
    if (r === 'added' || r === 'updated') this.emit({ type: 'timeline', roomId: m.room_id, reason: 'update' });
  }

  private onTyping(ev: TypingEvent): void {
    if (ev.user.id === this.me.id) return;
    this.users.set(ev.user.id, ev.user);
    this.typing.apply(ev.room_id, ev.user, ev.typing, Date.now());
    this.emit({ type: 'typing', roomId: ev.room_id });
    // Re-render when an indicator goes stale without a `typing: false`.
    const old = this.typingTimers.get(ev.room_id);
    if (old) clearTimeout(old);
    this.typingTimers.set(
      ev.room_id,
      setTimeout(() => this.emit({ type: 'typing', roomId: ev.room_id }), 6_100),
    );
  }

  private onPresence(ev: PresenceEvent): void {
    this.users.set(ev.user.id, ev.user);
    if (ev.online) this.online.add(ev.user.id);
    else this.online.delete(ev.user.id);
    this.emit({ type: 'presence' });
  }

  private onRead(ev: ReadEvent): void {
    if (ev.user_id === this.me.id) {
      // Read on another device or tab.
      this.rooms.markRead(ev.room_id, ev.seq);
      this.emit({ type: 'rooms' });
      return;
    }
    if (this.receipts.apply(ev.room_id, ev.user_id, ev.seq)) this.emit({ type: 'receipts', roomId: ev.room_id });
  }

  private onMemberJoined(ev: MemberEvent): void {
    this.users.set(ev.user.id, ev.user);
    if (this.members.has(ev.room_id)) void this.loadMembers(ev.room_id);
    if (ev.user.id === this.me.id && this.rooms.has(ev.room_id)) return;
    this.refreshRoomsSoon();
  }

  private onMemberLeft(ev: MemberEvent): void {
    if (ev.user.id === this.me.id) {
      if (this.rooms.has(ev.room_id)) this.forget(ev.room_id, 'gone');
      return;
    }
    if (this.members.has(ev.room_id)) void this.loadMembers(ev.room_id);
    this.refreshRoomsSoon();
  }

  private onRoomUpdated(room: Room): void {
    if (!this.rooms.applyUpdate(room)) return;
    this.emit({ type: 'rooms' });
  }

  private onRoomRemoved(ev: RoomRemovedEvent): void {
    this.forget(ev.room_id, ev.reason === 'deleted' ? 'deleted' : 'kicked', ev.banned === true);
  }

  /** `user:updated` (a new display name): everything that shows the user follows. */
  private onUserUpdated(u: User): void {
    this.users.set(u.id, u);
    if (u.id === this.me.id) Object.assign(this.me, u);
    for (const e of this.rooms.sorted()) {
      if (e.room.peer?.id === u.id) e.room.peer = u;
    }
    for (const [roomId, list] of this.members) {
      const i = list.findIndex((m) => m.id === u.id);
      const old = list[i];
      if (old) {
        list[i] = { ...old, display_name: u.display_name, username: u.username, avatar_url: u.avatar_url ?? null };
        this.emit({ type: 'members', roomId });
      }
    }
    this.emit({ type: 'rooms' });
    // Avatars beside their messages follow a new picture (PROTOCOL §6).
    if (this.activeRoomId !== null) this.emit({ type: 'timeline', roomId: this.activeRoomId, reason: 'update' });
  }

  private goneOffline(): void {
    // Who is online is unknown until the next connect sends a fresh snapshot.
    if (this.online.size > 0) {
      this.online.clear();
      this.emit({ type: 'presence' });
    }
    // Messages on their way say at once that they wait for the connection.
    for (const [roomId, tl] of this.timelines) {
      let changed = false;
      for (const p of tl.pendingMessages()) {
        if (p.state === 'sending' || p.state === 'busy') {
          clearTimeout(this.busyTimers.get(p.clientMsgId));
          this.busyTimers.delete(p.clientMsgId);
          tl.markQueued(p.clientMsgId);
          changed = true;
        }
      }
      if (changed) this.emit({ type: 'timeline', roomId, reason: 'pending' });
    }
  }

  // --- read receipts --------------------------------------------------------------------------

  private isSeeing(roomId: number): boolean {
    return roomId === this.activeRoomId && this.atBottom && document.visibilityState === 'visible';
  }

  private maybeSendRead(): void {
    const roomId = this.activeRoomId;
    if (roomId === null || !this.isSeeing(roomId)) return;
    const msgs = this.timeline(roomId).messages();
    const last = msgs[msgs.length - 1];
    if (!last) return;
    const entry = this.rooms.get(roomId);
    const sent = this.lastReadSent.get(roomId) ?? 0;
    if (last.seq <= sent && (entry?.unread ?? 0) === 0) return;
    this.rooms.markRead(roomId, last.seq);
    this.emit({ type: 'rooms' });
    if (last.seq > sent && this.realtime.fire('read', { room_id: roomId, seq: last.seq })) {
      this.lastReadSent.set(roomId, last.seq);
    }
  }

  private roomLabel(roomId: number): string {
    const r = this.rooms.get(roomId)?.room;
    if (!r) return 'another room';
    return r.kind === 'dm' ? 'a direct message' : r.name;
  }

  private emit(change: Change): void {
    for (const fn of this.listeners) fn(change);
  }
}

function sendErrorText(e: AckError): string {
  if (e.code === 'validation_error') {
    const body = (e as AckError & { details?: Record<string, unknown> }).details?.body;
    if (Array.isArray(body) && body.length > 0) return String(body[0]);
    return 'the server refused this message (is it empty once formatting is removed?)';
  }
  if (e.code === 'rate_limited') return 'you are sending too fast';
  return e.message;
}

function plain(html: string): string {
  const text = new DOMParser().parseFromString(html, 'text/html').body.textContent ?? '';
  return text.length > 140 ? `${text.slice(0, 140)}…` : text;
}


function blockedKey(userId: number): string {
  return `chatty.blocked.${userId}`;
}

function loadBlocked(userId: number): number[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(blockedKey(userId)) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
  } catch {
    return [];
  }
}

function saveBlocked(userId: number, ids: ReadonlySet<number>): void {
  try {
    localStorage.setItem(blockedKey(userId), JSON.stringify([...ids]));
  } catch {
    // Storage full or denied: the block itself is on the server.
  }
}
