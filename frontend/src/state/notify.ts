/** The `notification` event (PROTOCOL §6) as words, and where it goes. Pure, no DOM. */
import type { NotificationEvent } from '../types';

/** "Carol mentioned you in #standup", "Carol replied to you", "Carol" (a DM), "Carol in #standup". */
export function notificationTitle(ev: Pick<NotificationEvent, 'kind' | 'message'>, place: string | null): string {
  const who = ev.message.sender.display_name || ev.message.sender.username;
  const where = place ? ` in ${place}` : '';
  switch (ev.kind) {
    case 'mention':
      return `${who} mentioned you${where}`;
    case 'reply':
      return `${who} replied to you${where}`;
    case 'dm':
      return who;
    default:
      return `${who}${where}`;
  }
}

export type Delivery = 'desktop' | 'in-app' | 'none';

/**
 * A hidden tab with permission gets a desktop notification; a visible tab an in-app one unless the
 * user is looking at that very room (the message is on screen); otherwise the badges say it.
 */
export function deliveryFor(opts: { hidden: boolean; permission: string; seeingRoom: boolean }): Delivery {
  if (opts.hidden) return opts.permission === 'granted' ? 'desktop' : 'none';
  return opts.seeingRoom ? 'none' : 'in-app';
}
