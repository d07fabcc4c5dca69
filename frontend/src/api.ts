/**
 * The REST client for /api/v1 (contract §3). Every call returns the parsed JSON or throws an
 * `ApiError` carrying the contract's error code; an authenticated call refused with 401 is
 * retried once after a token refresh.
 */
import type { Attachment, AuthResult, HistoryPage, Member, Message, NotifyLevel, Role, Room, SearchPage, User } from './types';
import { SessionExpired, type SessionManager } from './session';
import { xhrUpload, type UploadOptions } from './upload-xhr';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Field → messages, for `validation_error`. */
  fieldErrors(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(this.details)) {
      if (Array.isArray(v)) out[k] = v.map(String);
      else if (typeof v === 'string') out[k] = [v];
    }
    return out;
  }
}

/** A short human message for any error thrown by the API or the network. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'rate_limited') {
      return err.retryAfter ? `Too many attempts. Try again in ${err.retryAfter} s.` : 'Too many attempts. Try again shortly.';
    }
    return err.message || `Request failed (${err.status}).`;
  }
  if (err instanceof SessionExpired) return err.message;
  if (err instanceof TypeError) return 'Cannot reach the server. Check your connection.';
  return err instanceof Error ? err.message : 'Something went wrong.';
}

interface RequestOptions {
  auth?: boolean;
  /**
   * The route checks a password and answers 401 when it is wrong: that 401 is the answer, not an
   * expired token (the token was just made fresh), so it neither refreshes nor ends the session.
   */
  checksPassword?: boolean;
  signal?: AbortSignal;
}

export class Api {
  constructor(
    private readonly session: SessionManager,
    private readonly base = '/api/v1',
  ) {}

  async request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    const auth = opts.auth ?? true;
    let token = auth ? await this.session.accessToken() : null;
    let res = await this.send(method, path, body, token, opts.signal);
    if (res.status === 401 && auth && token !== null && !opts.checksPassword) {
      token = (await this.session.refresh(token)).accessToken;
      res = await this.send(method, path, body, token, opts.signal);
      if (res.status === 401) {
        this.session.end();
        throw new SessionExpired();
      }
    }
    if (res.status === 204) return undefined as T;
    const data: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const e = (data as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
      const ra = res.headers.get('Retry-After');
      throw new ApiError(
        res.status,
        e?.code ?? 'http_error',
        e?.message ?? `Request failed (${res.status}).`,
        e?.details ?? {},
        ra !== null && /^\d+$/.test(ra) ? Number(ra) : null,
      );
    }
    return data as T;
  }

  /**
   * A multipart upload of one `file` part (PROTOCOL §6 "Files and images") with progress; the
   * same token handling as `request` (one retry after a refresh on 401).
   */
  async upload<T>(path: string, file: Blob, name: string, opts: UploadOptions = {}): Promise<T> {
    let token = await this.session.accessToken();
    let res = await xhrUpload(this.base + path, file, name, token, opts);
    if (res.status === 401 && token !== null) {
      token = (await this.session.refresh(token)).accessToken;
      res = await xhrUpload(this.base + path, file, name, token, opts);
      if (res.status === 401) {
        this.session.end();
        throw new SessionExpired();
      }
    }
    if (res.status >= 200 && res.status < 300) return res.data as T;
    const e = (res.data as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
    const ra = res.retryAfter;
    throw new ApiError(
      res.status,
      e?.code ?? 'http_error',
      e?.message ?? `Request failed (${res.status}).`,
      e?.details ?? {},
      ra !== null && /^\d+$/.test(ra) ? Number(ra) : null,
    );
  }

  private send(method: string, path: string, body: unknown, token: string | null, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (signal) init.signal = signal;
    return fetch(this.base + path, init);
  }

  // --- auth (no bearer) ---------------------------------------------------------------------
  register(username: string, password: string, displayName?: string): Promise<AuthResult> {
    const body: Record<string, string> = { username, password };
    if (displayName) body.display_name = displayName;
    return this.request('POST', '/auth/register', body, { auth: false });
  }
  login(username: string, password: string): Promise<AuthResult> {
    return this.request('POST', '/auth/login', { username, password }, { auth: false });
  }
  recover(username: string, recoveryPhrase: string, newPassword: string): Promise<AuthResult> {
    return this.request(
      'POST',
      '/auth/recover',
      { username, recovery_phrase: recoveryPhrase, new_password: newPassword },
      { auth: false },
    );
  }

  /** PROTOCOL §6 "Account settings": 204; every other session of the user is revoked. */
  changePassword(currentPassword: string, newPassword: string): Promise<void> {
    return this.request('POST', '/auth/password', { current_password: currentPassword, new_password: newPassword }, { checksPassword: true });
  }
  /** PROTOCOL §6 "Account settings": a new phrase; the old one stops working. */
  async newRecoveryPhrase(password: string): Promise<string> {
    return (await this.request<{ recovery_phrase: string }>('POST', '/auth/recovery-phrase', { password }, { checksPassword: true }))
      .recovery_phrase;
  }

  // --- users ----------------------------------------------------------------------------------
  me(): Promise<User> {
    return this.request('GET', '/users/me');
  }
  async searchUsers(prefix: string, signal?: AbortSignal): Promise<User[]> {
    const opts: RequestOptions = signal ? { signal } : {};
    const r = await this.request<{ users: User[] }>('GET', `/users?q=${encodeURIComponent(prefix)}`, undefined, opts);
    return r.users;
  }

  // --- rooms ----------------------------------------------------------------------------------
  async rooms(): Promise<Room[]> {
    return (await this.request<{ rooms: Room[] }>('GET', '/rooms')).rooms;
  }
  async publicRooms(): Promise<Room[]> {
    return (await this.request<{ rooms: Room[] }>('GET', '/rooms/public')).rooms;
  }
  createRoom(name: string, kind: 'public' | 'private'): Promise<Room> {
    return this.request('POST', '/rooms', { name, kind });
  }
  joinRoom(id: number): Promise<Room> {
    return this.request('POST', `/rooms/${id}/join`);
  }
  addMember(roomId: number, userId: number): Promise<Room> {
    return this.request('POST', `/rooms/${roomId}/members`, { user_id: userId });
  }
  async members(roomId: number): Promise<Member[]> {
    return (await this.request<{ members: Member[] }>('GET', `/rooms/${roomId}/members`)).members;
  }
  leaveRoom(roomId: number): Promise<void> {
    return this.request('DELETE', `/rooms/${roomId}/members/me`);
  }
  openDm(userId: number): Promise<Room> {
    return this.request('POST', '/dms', { user_id: userId });
  }
  // --- moderation, profiles, blocking (PROTOCOL §6) -------------------------------------------
  updateRoom(roomId: number, fields: { name?: string; topic?: string }): Promise<Room> {
    return this.request('PATCH', `/rooms/${roomId}`, fields);
  }
  deleteRoom(roomId: number): Promise<void> {
    return this.request('DELETE', `/rooms/${roomId}`);
  }
  setRole(roomId: number, userId: number, role: Exclude<Role, 'owner'>): Promise<Room> {
    return this.request('PATCH', `/rooms/${roomId}/members/${userId}`, { role });
  }
  kick(roomId: number, userId: number): Promise<void> {
    return this.request('DELETE', `/rooms/${roomId}/members/${userId}`);
  }
  ban(roomId: number, userId: number): Promise<void> {
    return this.request('POST', `/rooms/${roomId}/bans`, { user_id: userId });
  }
  unban(roomId: number, userId: number): Promise<void> {
    return this.request('DELETE', `/rooms/${roomId}/bans/${userId}`);
  }
  updateProfile(fields: { display_name?: string }): Promise<User> {
    return this.request('PATCH', '/users/me', fields);
  }
  block(userId: number): Promise<void> {
    return this.request('POST', `/users/${userId}/block`);
  }
  unblock(userId: number): Promise<void> {
    return this.request('DELETE', `/users/${userId}/block`);
  }
  // --- conversations (PROTOCOL §6) --------------------------------------------------------------
  setNotify(roomId: number, notify: NotifyLevel): Promise<Room> {
    return this.request('PATCH', `/rooms/${roomId}/members/me`, { notify });
  }
  search(q: string, opts: { room_id?: number; before_id?: number; limit?: number } = {}, signal?: AbortSignal): Promise<SearchPage> {
    const params = new URLSearchParams({ q });
    for (const [k, v] of Object.entries(opts)) if (v !== undefined) params.set(k, String(v));
    return this.request('GET', `/search?${params.toString()}`, undefined, signal ? { signal } : {});
  }
  history(
    roomId: number,
    cursor: { before_seq?: number; after_seq?: number; around_seq?: number; replies_to?: number; limit?: number } = {},
  ): Promise<HistoryPage> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(cursor)) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    return this.request('GET', `/rooms/${roomId}/messages${qs ? `?${qs}` : ''}`);
  }
  /** PROTOCOL §6 "Files and images": 201 Attachment, not yet in a message. */
  uploadAttachment(roomId: number, file: Blob, name: string, opts: UploadOptions = {}): Promise<Attachment> {
    return this.upload('/rooms/' + roomId + '/attachments', file, name, opts);
  }
  /** PROTOCOL §6 avatars: the User with its new `avatar_url`. */
  uploadAvatar(file: Blob, name: string, opts: UploadOptions = {}): Promise<User> {
    return this.upload('/users/me/avatar', file, name, opts);
  }
  markRead(roomId: number, seq: number): Promise<void> {
    return this.request('POST', `/rooms/${roomId}/read`, { seq });
  }
}

export type { Message };
