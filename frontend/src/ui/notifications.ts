/**
 * Notifications (PROTOCOL §6): the per-room level (`PATCH /rooms/{id}/members/me {notify}`), the
 * browser's Notification API for a hidden tab (permission asked only from a button), and an
 * in-app toast for a visible one. The badges in the room list come from `mention_count` and
 * the live messages (state/rooms.ts), whatever the level.
 */
import { describeError } from '../api';
import { roomTitle } from '../state/rooms';
import { deliveryFor, notificationTitle } from '../state/notify';
import { shorten } from '../state/reply';
import type { NotificationEvent, NotifyLevel } from '../types';
import type { ViewContext } from './context';
import { openDialog } from './dialog';
import { h, uid } from './dom';
import { bodyText } from './markup';

export function desktopPermission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

const PERMISSION_TEXT: Record<string, string> = {
  granted: 'Desktop notifications are on for this browser while chatty is in a background tab.',
  denied: 'Desktop notifications are blocked for this site. Allow them in the browser’s site settings.',
  default: 'Get a desktop notification for messages that concern you while chatty is in a background tab.',
  unsupported: 'This browser cannot show desktop notifications.',
};

/** "Enable desktop notifications": asks for permission from this click only (a user gesture). */
export function desktopNotificationsSection(): HTMLElement {
  const status = h('p', { class: 'field__hint', attrs: { role: 'status', 'data-testid': 'notifications-status' } });
  const enable = h('button', { class: 'btn btn--secondary', attrs: { type: 'button', 'data-testid': 'enable-notifications' }, text: 'Enable desktop notifications' });
  const render = (): void => {
    const p = desktopPermission();
    status.textContent = PERMISSION_TEXT[p] ?? '';
    status.dataset.permission = p;
    enable.hidden = p !== 'default';
  };
  enable.addEventListener('click', () => {
    void Notification.requestPermission().then(render, render);
  });
  render();
  const titleId = uid('notif');
  return h(
    'section',
    { class: 'form', attrs: { 'aria-labelledby': titleId, 'data-testid': 'desktop-notifications' } },
    h('h2', { class: 'settings__title', attrs: { id: titleId }, text: 'Desktop notifications' }),
    status,
    h('div', { class: 'form__actions form__actions--start' }, enable),
  );
}

const LEVELS: Array<{ value: NotifyLevel; label: string; hint: string }> = [
  { value: 'all', label: 'All messages', hint: 'Notify me of every new message.' },
  { value: 'mentions', label: 'Mentions and replies', hint: 'Only when someone writes @me, replies to me, or in a direct message.' },
  { value: 'none', label: 'Nothing', hint: 'No notifications; unread counts and @ badges still show.' },
];

export function notifyLabel(level: NotifyLevel | undefined): string {
  return level === 'mentions' ? 'Mentions' : level === 'none' ? 'Muted' : 'All';
}

/** The room's notification level, from its header. */
export function notifyDialog(ctx: ViewContext, roomId: number): void {
  const chat = ctx.chat;
  const room = chat.rooms.get(roomId)?.room;
  if (!room) return;
  openDialog(`Notifications for ${roomTitle(room)}`, 'notify-dialog', () => {
    const status = h('p', { class: 'picker__status', attrs: { role: 'status', 'data-testid': 'notify-status' } });
    const name = uid('notify');
    const current = room.notify ?? 'all';
    const radios = LEVELS.map((l) => {
      const id = uid('notify');
      const input = h('input', { attrs: { type: 'radio', name, value: l.value, id, checked: l.value === current, 'data-testid': `notify-${l.value}` } });
      input.addEventListener('change', () => {
        if (!input.checked) return;
        status.textContent = 'Saving…';
        chat.setNotify(roomId, l.value).then(
          () => (status.textContent = `Saved: ${l.label.toLowerCase()}.`),
          (err: unknown) => (status.textContent = `Could not save: ${describeError(err)}`),
        );
      });
      return h('label', { class: 'choice', attrs: { for: id } }, input, h('span', { class: 'choice__text' }, h('strong', { text: l.label }), h('span', { class: 'choice__hint', text: l.hint })));
    });
    queueMicrotask(() => radios.map((r) => r.querySelector('input')).find((i) => i?.checked)?.focus());
    return [h('fieldset', { class: 'choices' }, h('legend', { text: 'Notify me about' }), ...radios), status, desktopNotificationsSection()];
  });
}

/** A `notification` event: a desktop notification (hidden tab), a toast (elsewhere in the app) or nothing. */
export function showNotification(ctx: ViewContext, ev: NotificationEvent): void {
  const chat = ctx.chat;
  const room = chat.rooms.get(ev.room_id)?.room;
  const place = room && room.kind !== 'dm' ? `#${room.name}` : null;
  const title = notificationTitle(ev, place);
  const text = shorten(bodyText(ev.message.body), 140);
  const hidden = document.visibilityState === 'hidden';
  const delivery = deliveryFor({ hidden, permission: desktopPermission(), seeingRoom: chat.activeRoomId === ev.room_id && !hidden });
  if (delivery === 'desktop') {
    try {
      const n = new Notification(title, { body: text, tag: `chatty-room-${ev.room_id}` });
      n.addEventListener('click', () => {
        window.focus();
        ctx.openMessage(ev.room_id, ev.message.seq);
        n.close();
      });
    } catch (err) {
      console.warn('could not show a notification', err);
    }
  } else if (delivery === 'in-app' && ev.kind !== 'message') {
    // Plain new messages are the unread badge's job; mentions, replies and DMs say so.
    ctx.toast(`${title}: ${text}`);
  }
}
