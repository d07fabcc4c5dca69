/**
 * The room list: read from the server (and again when membership changes), each room's latest
 * message for the list, creating, joining, leaving and deleting rooms, and noticing when the user
 * is no longer in one (left, kicked, deleted; PROTOCOL §6).
 */
import type { Api } from '../api';
import type { MemberEvent, Message, NotifyLevel, Room, RoomRemovedEvent, User } from '../types';
import type { RoomMembers } from './members';
import type { ChatStore, RemovalReason } from './store';

/** Membership events come in bursts: one room-list read for all of them. */
const REFRESH_SOON_MS = 300;
/** Preview reads run this many at a time. */
const PREVIEW_BATCH = 4;

export class Rooms {
  roomsLoaded = false;
  /** The latest message of rooms not opened yet, for the room list (one history read each). */
  private readonly previews = new Map<number, Message>();
  private readonly previewsLoading = new Set<number>();
  /** Rooms this client was in and is not any more: their name, and whether it left by itself. */
  private readonly formerRooms = new Map<number, { name: string; byMe: boolean }>();
  private refreshing: Promise<void> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly store: ChatStore,
    private readonly api: Api,
    private readonly members: RoomMembers,
  ) {}

  stop(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
  }

  /** The newest message known in a room: from its timeline, or the preview read for the room list. */
  lastMessage(roomId: number): Message | undefined {
    const msgs = this.store.existingTimeline(roomId)?.messages() ?? [];
    const last = msgs[msgs.length - 1];
    const preview = this.previews.get(roomId);
    if (!last) return preview;
    return preview && preview.seq > last.seq ? preview : last;
  }

  /** Read the room list (one read at a time: a call meanwhile shares it). */
  refreshRooms(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    this.refreshing = (async () => {
      try {
        this.applyRooms(await this.api.rooms());
        void this.loadPreviews();
      } catch (err) {
        console.warn('could not load rooms', err);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private applyRooms(rooms: Room[]): void {
    const store = this.store;
    const before = new Set(store.rooms.sorted().map((e) => e.room.id));
    const roles = new Map(store.rooms.sorted().map((e) => [e.room.id, e.room.role ?? null]));
    store.rooms.setFromServer(rooms);
    for (const r of rooms) {
      this.formerRooms.delete(r.id);
      if (r.peer) store.users.set(r.peer.id, r.peer);
      // A timeline made before the list was known (a room opened by URL) starts at last_seq.
      const tl = store.existingTimeline(r.id);
      if (tl && !tl.loadedLatest && tl.size === 0) tl.floor = Math.max(tl.floor, r.last_seq);
    }
    this.roomsLoaded = true;
    for (const id of before) if (!store.rooms.has(id)) this.forget(id, 'gone');
    store.emit({ type: 'rooms' });
    // A new role changes what the user may do to messages (moderator delete).
    for (const r of rooms) {
      if (roles.has(r.id) && roles.get(r.id) !== (r.role ?? null)) store.emit({ type: 'timeline', roomId: r.id, reason: 'update' });
    }
  }

  /** One `limit=1` history read per room whose latest message this client does not hold. */
  private async loadPreviews(): Promise<void> {
    const wanted = this.store.rooms
      .sorted()
      .map((e) => e.room)
      .filter((r) => r.last_seq > 0 && (this.lastMessage(r.id)?.seq ?? 0) < r.last_seq && !this.previewsLoading.has(r.id));
    for (const r of wanted) this.previewsLoading.add(r.id);
    for (let i = 0; i < wanted.length; i += PREVIEW_BATCH) {
      await Promise.all(wanted.slice(i, i + PREVIEW_BATCH).map((r) => this.loadPreview(r.id)));
      this.store.emit({ type: 'rooms' });
    }
  }

  private async loadPreview(roomId: number): Promise<void> {
    try {
      const last = (await this.api.history(roomId, { limit: 1 })).messages.at(-1);
      if (last) {
        this.store.users.set(last.sender.id, last.sender);
        this.previews.set(roomId, last);
      }
    } catch {
      // The list shows the room's kind instead.
    } finally {
      this.previewsLoading.delete(roomId);
    }
  }

  /** `message:updated` for the message the room list shows. */
  previewUpdated(m: Message): void {
    const preview = this.previews.get(m.room_id);
    if (preview?.id === m.id) {
      this.previews.set(m.room_id, m);
      this.store.emit({ type: 'rooms' });
    }
  }

  private refreshRoomsSoon(): void {
    if (this.refreshTimer !== null) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refreshRooms();
    }, REFRESH_SOON_MS);
  }

  // --- this user's own actions ----------------------------------------------------------------

  async createRoom(name: string, kind: 'public' | 'private'): Promise<Room> {
    return this.adopt(await this.api.createRoom(name, kind));
  }

  async joinRoom(id: number): Promise<Room> {
    return this.adopt(await this.api.joinRoom(id));
  }

  async openDm(user: User): Promise<Room> {
    this.store.users.set(user.id, user);
    return this.adopt(await this.api.openDm(user.id));
  }

  async leaveRoom(roomId: number): Promise<void> {
    await this.leaving(roomId, () => this.api.leaveRoom(roomId));
    this.forget(roomId, 'left');
  }

  async deleteRoom(roomId: number): Promise<void> {
    await this.leaving(roomId, () => this.api.deleteRoom(roomId));
    this.forget(roomId, 'left');
  }

  async updateRoom(roomId: number, fields: { name?: string; topic?: string }): Promise<Room> {
    const room = await this.api.updateRoom(roomId, fields);
    this.store.rooms.upsertRoom(room, false);
    this.store.emit({ type: 'rooms' });
    return room;
  }

  async setNotify(roomId: number, notify: NotifyLevel): Promise<void> {
    const room = await this.api.setNotify(roomId, notify);
    this.store.rooms.upsertRoom({ ...room, notify: room.notify ?? notify }, false);
    this.store.emit({ type: 'rooms' });
  }

  private adopt(room: Room): Room {
    this.formerRooms.delete(room.id);
    if (room.peer) this.store.users.set(room.peer.id, room.peer);
    this.store.rooms.upsertRoom(room, !this.store.rooms.has(room.id));
    this.store.emit({ type: 'rooms' });
    return room;
  }

  /** Our own leave or delete: its `room:member_left`/`room:removed` may arrive before the response. */
  private async leaving(roomId: number, call: () => Promise<void>): Promise<void> {
    this.formerRooms.set(roomId, { name: this.store.roomLabel(roomId), byMe: true });
    try {
      await call();
    } catch (err) {
      this.formerRooms.delete(roomId);
      throw err;
    }
  }

  /** Drop a room this user is no longer in, and say why. */
  private forget(roomId: number, reason: RemovalReason, banned = false): void {
    const store = this.store;
    // A kick arrives as `room:member_left` (gone) and then `room:removed` (why): the name is kept
    // for the second. Our own leave or delete needs no second notice.
    if (store.rooms.has(roomId) && !this.formerRooms.get(roomId)?.byMe) {
      this.formerRooms.set(roomId, { name: store.roomLabel(roomId), byMe: reason === 'left' });
    }
    const former = this.formerRooms.get(roomId);
    if (!former || (former.byMe && reason !== 'left')) return;
    store.rooms.remove(roomId);
    store.dropTimeline(roomId);
    this.members.forgetRoom(roomId);
    this.previews.delete(roomId);
    store.emit({ type: 'removed', roomId, reason, name: former.name, ...(banned ? { banned } : {}) });
    store.emit({ type: 'rooms' });
  }

  // --- incoming (PROTOCOL §6) -----------------------------------------------------------------

  onMemberJoined(ev: MemberEvent): void {
    this.store.users.set(ev.user.id, ev.user);
    this.members.reloadIfLoaded(ev.room_id);
    if (ev.user.id === this.store.me.id && this.store.rooms.has(ev.room_id)) return;
    this.refreshRoomsSoon();
  }

  onMemberLeft(ev: MemberEvent): void {
    if (ev.user.id === this.store.me.id) {
      if (this.store.rooms.has(ev.room_id)) this.forget(ev.room_id, 'gone');
      return;
    }
    this.members.reloadIfLoaded(ev.room_id);
    this.refreshRoomsSoon();
  }

  onRoomUpdated(room: Room): void {
    if (!this.store.rooms.applyUpdate(room)) return;
    this.store.emit({ type: 'rooms' });
  }

  onRoomRemoved(ev: RoomRemovedEvent): void {
    this.forget(ev.room_id, ev.reason === 'deleted' ? 'deleted' : 'kicked', ev.banned === true);
  }
}
