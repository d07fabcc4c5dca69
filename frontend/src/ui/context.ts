/** What the views of the signed-in screen share: the controller and a few app-level actions. */
import type { ChatController } from '../chat';
import type { Room } from '../types';

export interface ViewContext {
  readonly chat: ChatController;
  navigate(hash: string): void;
  /** Go to a room (by route). */
  openRoom(room: Room): void;
  /** A short error or notice, shown for a few seconds. */
  toast(text: string): void;
}
