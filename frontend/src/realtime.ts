/**
 * The Socket.IO connection (contract §4): WebSocket only (gateways share no sticky sessions),
 * authenticated in the handshake with a fresh access token on every (re)connect, and refreshed
 * then retried when the server refuses the token.
 */
import { io, type Socket } from 'socket.io-client';
import type { Ack } from './types';
import { SessionExpired, type SessionManager } from './session';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

export interface RealtimeHooks {
  onState(state: ConnectionState): void;
  /** Called after every successful connect (first or re-): resync from here. */
  onConnected(first: boolean): void;
  /** The session cannot be renewed: back to sign in. */
  onExpired(): void;
}

export class Realtime {
  readonly socket: Socket;
  private everConnected = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelay = 1_000;
  private stopped = false;
  /** The token presented in the latest handshake, to tell a stale token from a revoked one. */
  private handshakeToken = '';

  constructor(
    private readonly session: SessionManager,
    private readonly hooks: RealtimeHooks,
    url: string = location.origin,
  ) {
    this.socket = io(url, {
      autoConnect: false,
      transports: ['websocket'],
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 5_000,
      // Evaluated before every (re)connect, so a reconnect never presents an expired token.
      auth: (cb) => {
        this.session
          .accessToken()
          .then((token) => {
            this.handshakeToken = token;
            cb({ token });
          })
          .catch(() => {
            const token = this.session.session?.accessToken ?? '';
            this.handshakeToken = token;
            cb({ token });
          });
      },
    });
    this.socket.on('connect', () => {
      const first = !this.everConnected;
      this.everConnected = true;
      this.retryDelay = 1_000;
      this.hooks.onState('connected');
      this.hooks.onConnected(first);
    });
    this.socket.on('disconnect', (reason) => {
      if (this.stopped) return;
      this.hooks.onState('reconnecting');
      // The server closed us on purpose (say, a revoked token): reconnecting is up to us.
      if (reason === 'io server disconnect') this.scheduleConnect();
    });
    this.socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      if (this.stopped) return;
      this.hooks.onState(this.everConnected ? 'reconnecting' : 'connecting');
      if (err.data?.code === 'unauthorized') {
        this.session
          .refresh(this.handshakeToken)
          .then(() => this.connectNow())
          .catch((e: unknown) => {
            if (e instanceof SessionExpired) this.hooks.onExpired();
            else this.scheduleConnect();
          });
      } else if (!this.socket.active) {
        // A refusal by the server's middleware is not retried by the client itself.
        this.scheduleConnect();
      }
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  start(): void {
    this.stopped = false;
    this.hooks.onState('connecting');
    this.connectNow();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  /** Emit with an acknowledgement; a missing answer becomes `{ok: false, error: {code: 'timeout'}}`. */
  emit<T extends object = object>(event: string, payload: unknown, timeoutMs = 10_000): Promise<Ack<T>> {
    return new Promise((resolve) => {
      this.socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, ack: Ack<T> | undefined) => {
        if (err) resolve({ ok: false, error: { code: 'timeout', message: 'No answer from the server.' } });
        else if (ack && typeof ack === 'object' && 'ok' in ack) resolve(ack);
        else resolve({ ok: false, error: { code: 'bad_ack', message: 'Unexpected answer from the server.' } });
      });
    });
  }

  /** Emit without waiting (typing, read). */
  fire(event: string, payload: unknown): boolean {
    if (!this.socket.connected) return false;
    this.socket.timeout(10_000).emit(event, payload, () => undefined);
    return true;
  }

  private connectNow(): void {
    if (this.stopped || this.socket.connected) return;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.socket.connect();
  }

  private scheduleConnect(): void {
    if (this.retryTimer !== null || this.stopped) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, 10_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connectNow();
    }, delay + Math.random() * 500);
  }
}

/** `crypto.randomUUID` needs a secure context; fall back to getRandomValues on plain http. */
export function newClientMsgId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
