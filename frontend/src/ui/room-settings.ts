/**
 * The room settings panel, opened from the room header (PROTOCOL §6 "Roles and moderation"): name
 * and topic (admin+), the members with their roles, promote/demote (owner), remove and ban (admin+,
 * of a higher role than the member), unban, block, and "delete room" (owner). Controls the user may
 * not use are not shown; the server checks every one of them again.
 */
import { describeError } from '../api';
import type { Member, Role, User } from '../types';
import type { ViewContext } from './context';
import { confirmDialog, openDialog, userLabel } from './dialog';
import { avatarEl } from './avatar';
import { field, h, replaceChildren, setFieldError } from './dom';

const RANK: Record<Role, number> = { owner: 3, admin: 2, member: 1 };
const ROLE_TEXT: Record<Role, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };
const MAX_NAME = 80;
const MAX_TOPIC = 250;

export function roomSettingsDialog(ctx: ViewContext, roomId: number): void {
  const chat = ctx.chat;
  const room = chat.rooms.get(roomId)?.room;
  if (!room) return;
  let unsubscribe = (): void => undefined;
  const dialog = openDialog(`Settings of ${room.name}`, 'room-settings-dialog', (close) => {
    const parts: Node[] = [];

    // Name and topic: a form for admins and the owner, text for everyone else.
    const about = h('section', { class: 'settings-section', attrs: { 'aria-labelledby': 'room-about-title' } });
    const name = h('input', { class: 'input', attrs: { type: 'text', name: 'name', 'data-testid': 'room-name-edit', required: true, autocomplete: 'off' } });
    const topic = h('input', { class: 'input', attrs: { type: 'text', name: 'topic', 'data-testid': 'room-topic-edit', autocomplete: 'off' } });
    const save = h('button', { class: 'btn btn--primary btn--sm', attrs: { type: 'submit', 'data-testid': 'room-settings-save' }, text: 'Save' });
    const saved = h('p', { class: 'notice', attrs: { role: 'status', 'data-testid': 'room-settings-status', hidden: true } });
    const form = h(
      'form',
      { class: 'form', attrs: { 'data-testid': 'room-settings-form', novalidate: true } },
      field('Room name', name, `Up to ${MAX_NAME} characters.`),
      field('Topic', topic, `What the room is about; up to ${MAX_TOPIC} characters.`),
      saved,
      h('div', { class: 'form__actions' }, save),
    );
    const readOnly = h('dl', { class: 'room-about' });
    // What the inputs were last filled with: a live update replaces only what the user has not edited.
    let shown = { name: '', topic: '' };
    const fill = (): void => {
      const r = chat.rooms.get(roomId)?.room;
      if (!r) return;
      const topicText = r.topic ?? '';
      if (name.value === shown.name) name.value = r.name;
      if (topic.value === shown.topic) topic.value = topicText;
      shown = { name: r.name, topic: topicText };
      replaceChildren(
        readOnly,
        h('dt', { text: 'Name' }),
        h('dd', { attrs: { 'data-testid': 'room-about-name' }, text: r.name }),
        h('dt', { text: 'Topic' }),
        h('dd', { attrs: { 'data-testid': 'room-about-topic' }, text: topicText || 'No topic yet.' }),
      );
      const mod = chat.canModerate(roomId);
      form.hidden = !mod;
      readOnly.hidden = mod;
    };
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      saved.hidden = true;
      setFieldError(name, null);
      setFieldError(topic, null);
      const n = name.value.trim();
      const t = topic.value.trim();
      if (n.length < 1 || n.length > MAX_NAME) {
        setFieldError(name, `A room name has 1 to ${MAX_NAME} characters.`);
        name.focus();
        return;
      }
      if (t.length > MAX_TOPIC) {
        setFieldError(topic, `A topic has at most ${MAX_TOPIC} characters (${t.length - MAX_TOPIC} too many).`);
        topic.focus();
        return;
      }
      save.disabled = true;
      chat.updateRoom(roomId, { name: n, topic: t }).then(
        (r) => {
          save.disabled = false;
          name.value = r.name;
          topic.value = r.topic ?? '';
          fill();
          saved.textContent = 'Saved.';
          saved.hidden = false;
        },
        (err: unknown) => {
          save.disabled = false;
          setFieldError(name, describeError(err));
          name.focus();
        },
      );
    });
    about.append(h('h3', { class: 'settings-section__title', attrs: { id: 'room-about-title' }, text: 'About' }), form, readOnly);
    parts.push(about);

    // Members with their roles, and what the user may do to each.
    const status = h('p', { class: 'picker__status', attrs: { role: 'status' } });
    const list = h('ul', { class: 'picker', attrs: { 'aria-labelledby': 'room-members-title', 'data-testid': 'settings-member-list' } });
    const banned = h('section', { class: 'settings-section', attrs: { 'aria-labelledby': 'room-banned-title', hidden: true } });
    parts.push(h('section', { class: 'settings-section' }, h('h3', { class: 'settings-section__title', attrs: { id: 'room-members-title' }, text: 'Members' }), status, list), banned);

    const act = (button: HTMLButtonElement, run: () => Promise<void>, done?: string): void => {
      button.disabled = true;
      run().then(
        () => {
          if (done) ctx.toast(done);
        },
        (err: unknown) => {
          button.disabled = false;
          ctx.toast(describeError(err));
        },
      );
    };
    const actionButton = (label: string, testid: string, describe: string, danger = false): HTMLButtonElement =>
      h('button', { class: `btn btn--sm ${danger ? 'btn--danger-ghost' : 'btn--secondary'}`, attrs: { type: 'button', 'data-testid': testid, 'aria-label': describe }, text: label });

    const memberRow = (m: Member): HTMLElement => {
      const myRole = chat.role(roomId);
      const theirRole: Role = m.role ?? 'member';
      const me = m.id === chat.me.id;
      const who = m.display_name || m.username;
      const actions = h('div', { class: 'member__actions' });
      if (!me && myRole === 'owner' && theirRole !== 'owner') {
        const promote = theirRole === 'admin'
          ? actionButton('Make member', 'demote-member', `Make member: ${who}`)
          : actionButton('Make admin', 'promote-member', `Make admin: ${who}`);
        promote.addEventListener('click', () => act(promote, () => chat.setRole(roomId, m.id, theirRole === 'admin' ? 'member' : 'admin')));
        actions.append(promote);
      }
      if (!me && myRole !== null && RANK[myRole] >= RANK.admin && RANK[myRole] > RANK[theirRole]) {
        const kick = actionButton('Remove', 'kick-member', `Remove ${who} from the room`, true);
        kick.addEventListener('click', () => {
          void confirmDialog(`Remove ${who}?`, `${who} leaves ${room.name} and is told so. They can be added again, or join again if the room is public.`, 'Remove').then((yes) => {
            if (yes) act(kick, () => chat.kick(roomId, m.id), `${who} was removed.`);
          });
        });
        const ban = actionButton('Ban', 'ban-member', `Ban ${who} from the room`, true);
        ban.addEventListener('click', () => {
          void confirmDialog(`Ban ${who}?`, `${who} is removed and cannot join or be added again until unbanned.`, 'Ban').then((yes) => {
            if (yes) act(ban, () => chat.ban(roomId, m), `${who} was banned.`);
          });
        });
        actions.append(kick, ban);
      }
      if (!me) actions.append(blockButton(ctx, m));
      return h(
        'li',
        { class: 'picker__row member-row', attrs: { 'data-testid': 'settings-member', 'data-username': m.username, 'data-role': theirRole } },
        avatarEl(m, 'avatar--sm'),
        userLabel(m),
        h('span', { class: `role-badge role-badge--${theirRole}`, attrs: { 'data-testid': 'member-role' }, text: me ? `${ROLE_TEXT[theirRole]} (you)` : ROLE_TEXT[theirRole] }),
        actions,
      );
    };

    const render = (): void => {
      fill();
      const members = chat.members.get(roomId);
      if (!members) {
        status.textContent = 'Loading members…';
      } else {
        const sorted = [...members].sort(
          (a, b) => RANK[b.role ?? 'member'] - RANK[a.role ?? 'member'] || (a.display_name || a.username).localeCompare(b.display_name || b.username),
        );
        status.textContent = `${members.length} ${members.length === 1 ? 'member' : 'members'}`;
        // Keep focus on the same control across a re-render (a role change re-reads the list).
        const focused = document.activeElement;
        const key = focused instanceof HTMLElement && list.contains(focused) ? [focused.closest('li')?.dataset.username, focused.dataset.testid] : null;
        replaceChildren(list, ...sorted.map(memberRow));
        if (key) {
          const again = [...list.querySelectorAll<HTMLElement>('li')].find((li) => li.dataset.username === key[0]);
          const target = again?.querySelector<HTMLElement>('button:not([disabled])') ?? list.querySelector<HTMLElement>('button');
          (again?.querySelector<HTMLElement>(`[data-testid="${key[1]}"]`) ?? target)?.focus();
        }
      }
      const bans = [...(chat.bans.get(roomId)?.values() ?? [])];
      banned.hidden = bans.length === 0 || !chat.canModerate(roomId);
      replaceChildren(
        banned,
        h('h3', { class: 'settings-section__title', attrs: { id: 'room-banned-title' }, text: 'Banned' }),
        h('ul', { class: 'picker', attrs: { 'data-testid': 'banned-list' } }, ...bans.map((u) => bannedRow(u))),
      );
    };
    const bannedRow = (u: User): HTMLElement => {
      const who = u.display_name || u.username;
      const unban = actionButton('Unban', 'unban-member', `Unban ${who}`);
      unban.addEventListener('click', () => act(unban, () => chat.unban(roomId, u.id), `${who} may join again.`));
      return h('li', { class: 'picker__row member-row', attrs: { 'data-testid': 'banned-member', 'data-username': u.username } }, userLabel(u), h('div', { class: 'member__actions' }, unban));
    };

    // Owner only: delete the room, after a confirmation.
    const danger = h('section', { class: 'settings-section settings-section--danger', attrs: { 'aria-labelledby': 'room-danger-title' } });
    const del = h('button', { class: 'btn btn--danger btn--sm', attrs: { type: 'button', 'data-testid': 'delete-room-button' }, text: 'Delete room' });
    del.addEventListener('click', () => {
      void confirmDialog(`Delete ${room.name}?`, 'The room and all its messages are deleted for everyone. This cannot be undone.', 'Delete room').then((yes) => {
        if (!yes) return;
        del.disabled = true;
        chat.deleteRoom(roomId).then(
          () => {
            close();
            ctx.navigate('#/rooms');
            ctx.toast(`${room.name} was deleted.`);
          },
          (err: unknown) => {
            del.disabled = false;
            ctx.toast(describeError(err));
          },
        );
      });
    });
    danger.append(h('h3', { class: 'settings-section__title', attrs: { id: 'room-danger-title' }, text: 'Delete room' }), h('p', { class: 'field__hint', text: 'Deletes the room and its history for everyone.' }), del);
    parts.push(danger);
    const renderDanger = (): void => {
      danger.hidden = chat.role(roomId) !== 'owner';
    };

    unsubscribe = chat.subscribe((c) => {
      if (c.type === 'removed' && c.roomId === roomId) {
        close();
        return;
      }
      if ((c.type === 'members' && c.roomId === roomId) || c.type === 'rooms' || c.type === 'presence') {
        render();
        renderDanger();
      }
    });
    render();
    renderDanger();
    void chat.loadMembers(roomId);
    // The caller's own role has no event when it changes (README): read it fresh here.
    void chat.refreshRooms();
    queueMicrotask(() => (chat.canModerate(roomId) ? name : list.querySelector<HTMLElement>('button') ?? dialog.querySelector<HTMLElement>('[data-testid="dialog-close"]'))?.focus());
    return parts;
  });
  dialog.classList.add('dialog--wide');
  dialog.addEventListener('close', () => unsubscribe());
}

/** Block or unblock a person (PROTOCOL §6): they are not told. */
export function blockButton(ctx: ViewContext, user: User): HTMLButtonElement {
  const chat = ctx.chat;
  const who = user.display_name || user.username;
  const blocked = chat.blocked.has(user.id);
  const b = h('button', {
    class: 'btn btn--sm btn--secondary',
    attrs: { type: 'button', 'data-testid': blocked ? 'unblock-user' : 'block-user', 'aria-label': blocked ? `Unblock ${who}` : `Block ${who}` },
    text: blocked ? 'Unblock' : 'Block',
  });
  b.addEventListener('click', () => {
    const run = (): void => {
      b.disabled = true;
      chat.setBlocked(user, !blocked).then(
        () => ctx.toast(blocked ? `${who} is unblocked.` : `${who} is blocked. They are not told.`),
        (err: unknown) => {
          b.disabled = false;
          ctx.toast(describeError(err));
        },
      );
    };
    if (blocked) run();
    else {
      void confirmDialog(
        `Block ${who}?`,
        `${who} will not be able to message you directly or add you to rooms, and neither of you sees the other online. They are not told.`,
        'Block',
      ).then((yes) => {
        if (yes) run();
      });
    }
  });
  return b;
}
