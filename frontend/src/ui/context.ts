/** What the views of the signed-in screen share: the controller and a few app-level actions. */
import type { ChatController } from '../chat/controller';
import type { Room } from '../types';

export interface ViewContext {
  readonly chat: ChatController;
  navigate(hash: string): void;
  /** Go to a room (by route). */
  openRoom(room: Room): void;
  /** Open a room at one message (a search result, a notification): loaded, scrolled to, highlighted. */
  openMessage(roomId: number, seq: number): void;
  /** A short error or notice, shown for a few seconds. */
  toast(text: string): void;
}
