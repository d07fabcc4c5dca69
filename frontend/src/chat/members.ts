/**
 * The people of the rooms: member lists with presence and read markers, who is online, profile
 * changes, blocking, and moderation (roles, kicks, bans; PROTOCOL §6).
 */
import type { Api } from '../api';
import type { ReadReceipts } from '../state/receipts';
import type { Member, PresenceEvent, Role, Room, User } from '../types';
import type { ChatStore } from './store';

export class RoomMembers {
  /** Members of the rooms opened so far (`GET /rooms/{id}/members`), refreshed on open and on changes. */
  readonly members = new Map<number, Member[]>();
  readonly online = new Set<number>();
  /**
   * People this user blocked. The server has no route that lists them, so this client remembers
   * what it did (per user, in localStorage); another device's blocks are not known here.
   */
  readonly blocked: Set<number>;
  /** Users banned from a room by this client in this session (no route lists bans). */
  readonly bans = new Map<number, Map<number, User>>();

  constructor(
    private readonly store: ChatStore,
    private readonly api: Api,
    private readonly receipts: ReadReceipts,
  ) {
    this.blocked = new Set(loadBlocked(store.me.id));
  }

  /** Members with presence and read markers: "Seen by" and the member list right after opening. */
  async loadMembers(roomId: number): Promise<void> {
    const store = this.store;
    let list: Member[];
    try {
      list = await this.api.members(roomId);
    } catch (err) {
      console.warn('could not load members', err);
      return;
    }
    if (!store.rooms.has(roomId)) return;
    this.members.set(roomId, list);
    let receipts = false;
    for (const m of list) {
      store.users.set(m.id, { id: m.id, username: m.username, display_name: m.display_name, created_at: m.created_at, avatar_url: m.avatar_url ?? null });
      if (m.id !== store.me.id && this.receipts.apply(roomId, m.id, m.last_read_seq)) receipts = true;
      if (store.presenceKnown && m.id !== store.me.id) {
        if (m.online) this.online.add(m.id);
        else this.online.delete(m.id);
      }
    }
    if (receipts) store.emit({ type: 'receipts', roomId });
    store.emit({ type: 'members', roomId });
    store.emit({ type: 'presence' });
  }

  /** Someone joined or left: the list is read again if this client shows it. */
  reloadIfLoaded(roomId: number): void {
    if (this.members.has(roomId)) void this.loadMembers(roomId);
  }

  /** The user is no longer in the room. */
  forgetRoom(roomId: number): void {
    this.members.delete(roomId);
  }

  async addMember(roomId: number, user: User): Promise<Room> {
    this.store.users.set(user.id, user);
    const room = await this.api.addMember(roomId, user.id);
    this.store.rooms.upsertRoom(room, false);
    this.store.emit({ type: 'rooms' });
    void this.loadMembers(roomId);
    return room;
  }

  // --- presence -------------------------------------------------------------------------------

  onPresence(ev: PresenceEvent): void {
    this.store.users.set(ev.user.id, ev.user);
    if (ev.online) this.online.add(ev.user.id);
    else this.online.delete(ev.user.id);
    this.store.emit({ type: 'presence' });
  }

  /** Offline, who is online is unknown until the next connect sends a fresh snapshot. */
  clearPresence(): void {
    if (this.online.size > 0) {
      this.online.clear();
      this.store.emit({ type: 'presence' });
    }
  }

  // --- moderation (PROTOCOL §6) ---------------------------------------------------------------

  /** The caller's role in a room (a DM has none that matters). */
  role(roomId: number): Role | null {
    const room = this.store.rooms.get(roomId)?.room;
    if (!room || room.kind === 'dm') return null;
    return room.role ?? null;
  }

  /** Admins and the owner may rename, kick, ban and delete others' messages. */
  canModerate(roomId: number): boolean {
    const r = this.role(roomId);
    return r === 'owner' || r === 'admin';
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
    this.store.emit({ type: 'members', roomId });
  }

  // --- profiles and blocking ------------------------------------------------------------------

  async updateProfile(displayName: string): Promise<User> {
    const user = await this.api.updateProfile({ display_name: displayName });
    this.onUserUpdated(user);
    return user;
  }

  /** `user:updated` (a new display name): everything that shows the user follows. */
  onUserUpdated(u: User): void {
    const store = this.store;
    store.users.set(u.id, u);
    if (u.id === store.me.id) Object.assign(store.me, u);
    for (const e of store.rooms.sorted()) {
      if (e.room.peer?.id === u.id) e.room.peer = u;
    }
    for (const [roomId, list] of this.members) {
      const i = list.findIndex((m) => m.id === u.id);
      const old = list[i];
      if (old) {
        list[i] = { ...old, display_name: u.display_name, username: u.username, avatar_url: u.avatar_url ?? null };
        store.emit({ type: 'members', roomId });
      }
    }
    store.emit({ type: 'rooms' });
    // Avatars beside their messages follow a new picture (PROTOCOL §6).
    if (store.activeRoomId !== null) store.emit({ type: 'timeline', roomId: store.activeRoomId, reason: 'update' });
  }

  async setBlocked(user: User, blocked: boolean): Promise<void> {
    if (blocked) await this.api.block(user.id);
    else await this.api.unblock(user.id);
    if (blocked) this.blocked.add(user.id);
    else this.blocked.delete(user.id);
    saveBlocked(this.store.me.id, this.blocked);
    this.store.emit({ type: 'presence' });
    if (this.store.activeRoomId !== null) this.store.emit({ type: 'members', roomId: this.store.activeRoomId });
  }
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
