/** The objects of the public contract (shared/PROTOCOL.md §2–§4). */

export interface User {
  id: number;
  username: string;
  display_name: string;
  created_at: string;
  /** PROTOCOL §6 (avatars): a URL served without a token, or null; absent from older servers. */
  avatar_url?: string | null;
}

/** PROTOCOL §6 "Files and images": an upload; `url`/`thumbnail_url` are signed relative URLs. */
export interface Attachment {
  id: number;
  name: string;
  content_type: string;
  size: number;
  /** Images only, else null. */
  width: number | null;
  height: number | null;
  url: string;
  thumbnail_url: string | null;
}

export type RoomKind = 'public' | 'private' | 'dm';

export interface Room {
  id: number;
  kind: RoomKind;
  name: string;
  created_at: string;
  member_count: number;
  last_seq: number;
  unread_count: number;
  /** Only for `dm` rooms: the other participant. */
  peer?: User;
  /** Not in the contract; used when a server sends it (compatible extension). */
  last_activity_at?: string | null;
  /** PROTOCOL §6: the caller's role (null in a public room they are not in). */
  role?: Role | null;
  /** PROTOCOL §6: plain text, "" by default. */
  topic?: string;
  /** PROTOCOL §6 "Mentions": unread messages that mention the caller or reply to them. */
  mention_count?: number;
  /** PROTOCOL §6: the caller's notification level in this room. */
  notify?: NotifyLevel;
}

export type NotifyLevel = 'all' | 'mentions' | 'none';

export type Role = 'owner' | 'admin' | 'member';

/** PROTOCOL §6: sent to a user removed from a room. */
export interface RoomRemovedEvent {
  room_id: number;
  reason: 'kicked' | 'deleted';
  banned?: boolean;
}

export interface Message {
  id: number;
  room_id: number;
  seq: number;
  sender: User;
  /** Already-cleaned HTML (contract §2). */
  body: string;
  client_msg_id: string | null;
  created_at: string;
  edited_at: string | null;
  deleted: boolean;
  /** What the author typed (Markdown), for the edit box; absent from older servers. */
  source?: string;
  /** PROTOCOL §6 "Replies": the message this one answers (absent from older servers). */
  reply_to?: ReplyRef | null;
  /** Replies that name this message. */
  reply_count?: number;
  /** PROTOCOL §6 "Reactions", in first-use order. */
  reactions?: Reaction[];
  /** PROTOCOL §6 "Mentions": ids of the users this message mentions. */
  mentions?: number[];
  /** PROTOCOL §6: the message's files; `[]` once deleted; absent from older servers. */
  attachments?: Attachment[];
}

export interface ReplyRef {
  id: number;
  seq: number;
  sender: User;
  /** The first 200 characters of the replied-to text, HTML-escaped; "" once deleted. */
  excerpt: string;
}

export interface Reaction {
  emoji: string;
  count: number;
  user_ids: number[];
}

/** Server → client `notification` (PROTOCOL §6). */
export interface NotificationEvent {
  kind: 'mention' | 'reply' | 'dm' | 'message';
  room_id: number;
  message: Message;
}

/** `GET /search` (PROTOCOL §6). */
export interface SearchResult {
  message: Message;
  room: { id: number; name: string; kind: RoomKind };
  /** The body with matches in `<mark>`, cleaned like a body. */
  highlight: string;
}

export interface SearchPage {
  results: SearchResult[];
  has_more: boolean;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: string;
  /** Access-token lifetime in seconds. */
  expires_in: number;
}

export interface AuthResult extends TokenPair {
  user: User;
  /** Present on register and recover only: shown to the user once. */
  recovery_phrase?: string;
}

export interface AckError {
  code: string;
  message: string;
  /** With `unavailable` (PROTOCOL §6 "Overload"): seconds to wait before retrying. */
  retry_after?: number;
}

/** A Socket.IO acknowledgement (contract §4). */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: AckError };

export interface HistoryPage {
  messages: Message[];
  has_more: boolean;
}

export interface SyncResult {
  rooms: Record<string, HistoryPage>;
}

export interface TypingEvent {
  room_id: number;
  user: User;
  typing: boolean;
}

export interface PresenceEvent {
  user: User;
  online: boolean;
}

export interface ReadEvent {
  room_id: number;
  user_id: number;
  seq: number;
}

export interface MemberEvent {
  room_id: number;
  user: User;
}

/** `GET /rooms/{id}/members` (an extension): a member with presence and read marker. */
export interface Member extends User {
  online: boolean;
  last_read_seq: number;
  role?: Role;
}
