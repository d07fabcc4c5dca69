/** Test helpers for the controller's parts: a transport that records what is sent and answers as told. */
import type { Ack } from '../types';
import type { Transport } from './store';

export interface Sent {
  event: string;
  payload: unknown;
}

export class FakeTransport implements Transport {
  connected = true;
  readonly emitted: Sent[] = [];
  readonly fired: Sent[] = [];
  /** The ack for the next emits, in order; an `{ ok: true }` once they run out. */
  readonly answers: Ack[] = [];

  emit<T extends object = object>(event: string, payload: unknown): Promise<Ack<T>> {
    this.emitted.push({ event, payload });
    return Promise.resolve((this.answers.shift() ?? { ok: true }) as Ack<T>);
  }

  fire(event: string, payload: unknown): boolean {
    if (!this.connected) return false;
    this.fired.push({ event, payload });
    return true;
  }
}
