/**
 * The chat controller: composes the client's parts (rooms, history and the live feed, the outbox,
 * members and moderation, read receipts, typing) over one shared store, routes Socket.IO events
 * to the part that owns them, and is the one object the view talks to. No DOM here.
 */
import type { Api } from '../api';
import { Realtime } from '../realtime';
import type { SessionManager } from '../session';
import type { RoomTimeline } from '../state/timeline';
import type { MemberEvent, Message, NotificationEvent, NotifyLevel, PresenceEvent, ReadEvent, Role, Room, RoomRemovedEvent, TypingEvent, User } from '../types';
import { MessageFeed } from './feed';
import { History } from './history';
import { RoomMembers } from './members';
import { Outbox, type SendOptions } from './outbox';
import { ReadTracker } from './receipts';
import { Rooms } from './rooms';
import { ChatStore, type Change } from './store';
import { Typing } from './typing';

export type { Change, RemovalReason, TimelineReason } from './store';

export class ChatController {
  private readonly store: ChatStore;
  private readonly realtime: Realtime;
  private readonly reads: ReadTracker;
  private readonly people: RoomMembers;
  private readonly roomList: Rooms;
  private readonly typingState: Typing;
  private readonly feed: MessageFeed;
  private readonly history: History;
  private readonly outbox: Outbox;

  constructor(
    readonly api: Api,
    session: SessionManager,
    me: User,
  ) {
    const store = (this.store = new ChatStore(me));
    this.realtime = new Realtime(session, {
      onState: (state) => {
        store.connection = state;
        if (state !== 'connected') this.goneOffline();
        store.emit({ type: 'connection' });
      },
      onConnected: () => void this.onConnected(),
      onExpired: () => store.emit({ type: 'expired' }),
    });
    this.reads = new ReadTracker(store, this.realtime);
    this.people = new RoomMembers(store, api, this.reads.receipts);
    this.roomList = new Rooms(store, api, this.people);
    this.typingState = new Typing(store, this.realtime);
    this.feed = new MessageFeed(store, this.realtime, this.roomList, this.reads, this.typingState);
    this.history = new History(store, api, this.feed, this.reads);
    this.outbox = new Outbox(store, this.realtime, () => this.typingState.composerIdle());
    this.listen();
  }

  /** Every server event goes to the part that owns it (PROTOCOL §6). */
  private listen(): void {
    const s = this.realtime.socket;
    s.on('message:new', (m: Message) => void this.feed.onMessage(m, true));
    s.on('message:updated', (m: Message) => this.feed.onUpdated(m));
    s.on('typing', (ev: TypingEvent) => this.typingState.onTyping(ev));
    s.on('presence', (ev: PresenceEvent) => this.people.onPresence(ev));
    s.on('read', (ev: ReadEvent) => this.reads.onRead(ev));
    s.on('room:member_joined', (ev: MemberEvent) => this.roomList.onMemberJoined(ev));
    s.on('room:member_left', (ev: MemberEvent) => this.roomList.onMemberLeft(ev));
    s.on('room:updated', (room: Room) => this.roomList.onRoomUpdated(room));
    s.on('room:removed', (ev: RoomRemovedEvent) => this.roomList.onRoomRemoved(ev));
    s.on('user:updated', (u: User) => this.people.onUserUpdated(u));
    s.on('notification', (ev: NotificationEvent) => {
      if (ev?.message?.sender) this.store.users.set(ev.message.sender.id, ev.message.sender);
      this.store.emit({ type: 'notification', event: ev });
    });
  }

  subscribe(fn: (c: Change) => void): () => void {
    return this.store.subscribe(fn);
  }

  start(): void {
    this.reads.start();
    this.realtime.start();
    void this.roomList.refreshRooms();
  }

  stop(): void {
    this.reads.stop();
    this.typingState.stop();
    this.realtime.stop();
    this.outbox.stop();
    this.roomList.stop();
    this.store.unsubscribeAll();
  }

  private async onConnected(): Promise<void> {
    await this.roomList.refreshRooms();
    const active = this.store.activeRoomId;
    if (active !== null && !this.store.timeline(active).loadedLatest) void this.history.loadLatest(active);
    if (active !== null) void this.people.loadMembers(active);
    await this.feed.syncAll();
    this.outbox.resendHeld();
    this.reads.maybeSendRead();
  }

  private goneOffline(): void {
    this.people.clearPresence();
    this.outbox.holdAll();
  }

  /** The room on screen (null: none); its typing notifier, members and latest page follow. */
  openRoom(roomId: number | null): void {
    if (this.store.activeRoomId === roomId) return;
    this.typingState.roomOpened(roomId);
    this.store.activeRoomId = roomId;
    this.reads.roomOpened();
    if (roomId === null) return;
    void this.people.loadMembers(roomId);
    const tl = this.store.timeline(roomId);
    if (!tl.loadedLatest) void this.history.loadLatest(roomId);
    else this.reads.maybeSendRead();
  }

  // --- state the view reads -------------------------------------------------------------------

  get me(): User { return this.store.me; }
  get rooms() { return this.store.rooms; }
  get users() { return this.store.users; }
  get connection() { return this.store.connection; }
  get activeRoomId(): number | null { return this.store.activeRoomId; }
  get connected(): boolean { return this.store.connected; }
  get presenceKnown(): boolean { return this.store.presenceKnown; }
  get roomsLoaded(): boolean { return this.roomList.roomsLoaded; }
  get receipts() { return this.reads.receipts; }
  get typing() { return this.typingState.board; }
  get online() { return this.people.online; }
  get members() { return this.people.members; }
  get blocked() { return this.people.blocked; }
  get bans() { return this.people.bans; }
  get loadingRooms() { return this.history.loadingRooms; }
  get historyErrors() { return this.history.historyErrors; }
  timeline(roomId: number): RoomTimeline { return this.store.timeline(roomId); }
  userName(id: number): string | null { return this.store.userName(id); }
  lastMessage(roomId: number): Message | undefined { return this.roomList.lastMessage(roomId); }
  role(roomId: number): Role | null { return this.people.role(roomId); }
  canModerate(roomId: number): boolean { return this.people.canModerate(roomId); }

  // --- what the view asks for: each goes to the part that owns it -----------------------------

  refreshRooms(): Promise<void> { return this.roomList.refreshRooms(); }
  createRoom(name: string, kind: 'public' | 'private'): Promise<Room> { return this.roomList.createRoom(name, kind); }
  joinRoom(id: number): Promise<Room> { return this.roomList.joinRoom(id); }
  openDm(user: User): Promise<Room> { return this.roomList.openDm(user); }
  leaveRoom(roomId: number): Promise<void> { return this.roomList.leaveRoom(roomId); }
  deleteRoom(roomId: number): Promise<void> { return this.roomList.deleteRoom(roomId); }
  updateRoom(roomId: number, fields: { name?: string; topic?: string }): Promise<Room> { return this.roomList.updateRoom(roomId, fields); }
  setNotify(roomId: number, notify: NotifyLevel): Promise<void> { return this.roomList.setNotify(roomId, notify); }

  loadMembers(roomId: number): Promise<void> { return this.people.loadMembers(roomId); }
  addMember(roomId: number, user: User): Promise<Room> { return this.people.addMember(roomId, user); }
  setRole(roomId: number, userId: number, role: 'admin' | 'member'): Promise<void> { return this.people.setRole(roomId, userId, role); }
  kick(roomId: number, userId: number): Promise<void> { return this.people.kick(roomId, userId); }
  ban(roomId: number, user: User): Promise<void> { return this.people.ban(roomId, user); }
  unban(roomId: number, userId: number): Promise<void> { return this.people.unban(roomId, userId); }
  updateProfile(displayName: string): Promise<User> { return this.people.updateProfile(displayName); }
  setBlocked(user: User, blocked: boolean): Promise<void> { return this.people.setBlocked(user, blocked); }

  loadLatest(roomId: number): Promise<void> { return this.history.loadLatest(roomId); }
  loadOlder(roomId: number): Promise<void> { return this.history.loadOlder(roomId); }
  retryHistory(roomId: number): Promise<void> { return this.history.retryHistory(roomId); }
  reveal(roomId: number, seq: number): Promise<boolean> { return this.history.reveal(roomId, seq); }
  replies(roomId: number, messageId: number): Promise<Message[]> { return this.history.replies(roomId, messageId); }
  syncAll(): Promise<void> { return this.feed.syncAll(); }

  send(roomId: number, text: string, opts: SendOptions = {}): string | null { return this.outbox.send(roomId, text, opts); }
  retry(roomId: number, clientMsgId: string): void { this.outbox.retry(roomId, clientMsgId); }
  discard(roomId: number, clientMsgId: string): void { this.outbox.discard(roomId, clientMsgId); }
  edit(message: Message, body: string): Promise<string | null> { return this.outbox.edit(message, body); }
  remove(message: Message): Promise<string | null> { return this.outbox.remove(message); }
  react(message: Message, emoji: string): Promise<string | null> { return this.outbox.react(message, emoji); }

  setViewport(roomId: number, atBottom: boolean): void { this.reads.setViewport(roomId, atBottom); }
  composerInput(): void { this.typingState.composerInput(); }
  composerIdle(): void { this.typingState.composerIdle(); }
}
