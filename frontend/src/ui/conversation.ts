/** The open conversation: its header (title, presence, room actions), message list, typing line and composer. */
import type { TimelineReason } from '../chat/controller';
import type { Drafts } from '../drafts';
import { roomTitle } from '../state/rooms';
import { typingText } from '../state/typing';
import { ComposerView } from './composer';
import type { ViewContext } from './context';
import { confirmDialog } from './dialog';
import { addMemberDialog, browseDialog, createRoomDialog } from './dialogs';
import { h, icon, replaceChildren } from './dom';
import { membersDialog } from './members';
import { notifyDialog, notifyLabel } from './notifications';
import { MessageListView } from './message-list';
import { roomSettingsDialog } from './room-settings';
import { presenceOf, roomIcon } from './sidebar';
import { UploadTray } from './upload';

export class ConversationView {
  readonly root: HTMLElement;
  private readonly icon: HTMLElement;
  private readonly title: HTMLElement;
  private readonly subtitle: HTMLElement;
  private readonly addMember: HTMLButtonElement;
  private readonly membersButton: HTMLButtonElement;
  private readonly leave: HTMLButtonElement;
  private readonly settings: HTMLButtonElement;
  private readonly notify: HTMLButtonElement;
  private readonly topic: HTMLElement;
  private readonly typing: HTMLElement;
  private readonly messages: MessageListView;
  private readonly composer: ComposerView;
  private readonly files: UploadTray;

  constructor(
    private readonly ctx: ViewContext,
    private readonly roomId: number,
    opts: { unreadFrom: number | null; drafts: Drafts; requestRender(): void },
  ) {
    const chat = ctx.chat;
    const back = h('button', { class: 'icon-btn conv__back', attrs: { type: 'button', 'aria-label': 'Back to rooms', 'data-testid': 'back-button' } }, icon('back'));
    this.icon = h('span', { class: 'conv__icon' });
    this.title = h('h1', { class: 'conv__title', attrs: { 'data-testid': 'room-title' } });
    this.subtitle = h('span', { attrs: { 'data-testid': 'room-subtitle' } });
    this.addMember = h(
      'button',
      { class: 'btn btn--secondary btn--sm', attrs: { type: 'button', 'data-testid': 'add-member-button' } },
      icon('userPlus'),
      h('span', { class: 'btn__label', text: 'Add people' }),
    );
    this.membersButton = h('button', { class: 'link-btn', attrs: { type: 'button', 'data-testid': 'members-button', 'aria-haspopup': 'dialog' } });
    this.leave = h(
      'button',
      { class: 'btn btn--ghost btn--sm', attrs: { type: 'button', 'data-testid': 'leave-room-button' } },
      icon('leave'),
      h('span', { class: 'btn__label', text: 'Leave' }),
    );
    this.settings = h(
      'button',
      { class: 'btn btn--ghost btn--sm', attrs: { type: 'button', 'data-testid': 'room-settings-button', 'aria-haspopup': 'dialog' } },
      icon('sliders'),
      h('span', { class: 'btn__label', text: 'Settings' }),
    );
    this.notify = h(
      'button',
      { class: 'btn btn--ghost btn--sm', attrs: { type: 'button', 'data-testid': 'notify-button', 'aria-haspopup': 'dialog' } },
      icon('bell'),
      h('span', { class: 'btn__label' }),
    );
    this.topic = h('span', { class: 'conv__topic', attrs: { 'data-testid': 'room-topic' } });
    this.typing = h('div', { class: 'typing', attrs: { 'data-testid': 'typing-indicator' } });
    this.messages = new MessageListView(ctx, roomId, opts.unreadFrom, {
      requestRender: opts.requestRender,
      focusComposer: () => this.focusComposer(),
      reply: (m) => this.composer.replyTo(m),
    });
    this.files = new UploadTray(ctx, roomId);
    this.composer = new ComposerView(ctx, roomId, opts.drafts, {
      sent: () => this.messages.onOwnMessage(),
      editLast: () => this.messages.editLast(),
      files: this.files,
    });
    this.root = h(
      'div',
      { class: 'conv' },
      h(
        'header',
        { class: 'conv__header' },
        back,
        this.icon,
        h('div', { class: 'conv__heading' }, this.title, h('p', { class: 'conv__subtitle' }, this.subtitle, this.membersButton, this.topic)),
        h('div', { class: 'conv__tools' }, this.addMember, this.notify, this.settings, this.leave),
      ),
      this.messages.root,
      this.typing,
      this.composer.form,
    );

    // Files: dropped anywhere on the conversation, or pasted into the message box.
    this.files.bindDropZone(this.root);
    this.files.bindPaste(this.composer.input);
    back.addEventListener('click', () => ctx.navigate('#/rooms'));
    this.addMember.addEventListener('click', () => {
      const room = chat.rooms.get(roomId)?.room;
      if (room) addMemberDialog(chat, room);
    });
    this.leave.addEventListener('click', () => this.confirmLeave());
    this.settings.addEventListener('click', () => roomSettingsDialog(ctx, roomId));
    this.notify.addEventListener('click', () => notifyDialog(ctx, roomId));
    this.membersButton.addEventListener('click', () => {
      const room = chat.rooms.get(roomId)?.room;
      if (room) membersDialog(ctx, roomId, `Members of ${roomTitle(room)}`);
    });

    this.renderHeader();
    this.renderMessages(new Set());
    this.renderTyping();
  }

  /** Scroll to a message (loading it if needed), focus and highlight it. */
  reveal(seq: number): void {
    this.messages.jumpTo(seq);
  }

  focusComposer(): void {
    this.composer.focus();
  }

  saveDraft(): void {
    this.composer.saveDraft();
  }

  /** The reader's own message changed the list: keep following the bottom. */
  followBottom(): void {
    this.messages.followBottom();
  }

  renderMessages(reasons: ReadonlySet<TimelineReason>): void {
    this.messages.render(reasons);
  }

  renderHeader(): void {
    const chat = this.ctx.chat;
    const entry = chat.rooms.get(this.roomId);
    if (!entry) {
      this.title.textContent = chat.roomsLoaded ? 'Room not found' : 'Loading…';
      this.subtitle.textContent = chat.roomsLoaded ? 'You are not a member of this room.' : '';
      this.addMember.hidden = true;
      this.leave.hidden = true;
      this.settings.hidden = true;
      this.notify.hidden = true;
      this.topic.textContent = '';
      this.membersButton.hidden = true;
      this.composer.form.hidden = chat.roomsLoaded;
      return;
    }
    this.composer.form.hidden = false;
    const room = entry.room;
    this.title.textContent = roomTitle(room);
    replaceChildren(this.icon, roomIcon(this.ctx, room));
    if (room.kind === 'dm' && room.peer) {
      const state = presenceOf(this.ctx, room.peer.id);
      const text = { online: ' · online', offline: '', unknown: ' · presence unknown while offline' }[state];
      this.subtitle.textContent = `@${room.peer.username}${text}`;
      this.membersButton.hidden = true;
    } else {
      this.subtitle.textContent = `${room.kind === 'private' ? 'Private' : 'Public'} room · `;
      const count = chat.members.get(room.id)?.length ?? room.member_count;
      this.membersButton.textContent = `${count} ${count === 1 ? 'member' : 'members'}`;
      this.membersButton.hidden = false;
    }
    // A private room takes new members from admins and the owner only (PROTOCOL §6).
    this.addMember.hidden = room.kind === 'dm' || (room.kind === 'private' && !chat.canModerate(room.id));
    this.leave.hidden = room.kind === 'dm';
    this.settings.hidden = room.kind === 'dm';
    this.notify.hidden = false;
    const level = notifyLabel(room.notify);
    this.notify.querySelector('.btn__label')!.textContent = `Notify: ${level}`;
    this.notify.dataset.level = room.notify ?? 'all';
    const topic = room.kind === 'dm' ? '' : (room.topic ?? '');
    this.topic.textContent = topic ? ` · ${topic}` : '';
    this.topic.title = topic;
    this.composer.setLabel(room.kind === 'dm' ? `Message ${roomTitle(room)}` : `Message #${room.name}`);
  }

  renderTyping(): void {
    const text = typingText(this.ctx.chat.typing.typers(this.roomId, Date.now()));
    this.typing.textContent = text;
    this.typing.classList.toggle('typing--on', text !== '');
  }

  private confirmLeave(): void {
    const room = this.ctx.chat.rooms.get(this.roomId)?.room;
    if (!room) return;
    void confirmDialog('Leave room?', `You will stop receiving messages from ${room.name}.`, 'Leave').then((yes) => {
      if (!yes) return;
      this.ctx.chat.leaveRoom(this.roomId).then(
        () => this.ctx.navigate('#/rooms'),
        (err: unknown) => this.ctx.toast(err instanceof Error ? err.message : 'Could not leave the room.'),
      );
    });
  }
}

/** What the conversation area shows with no room open. */
export function emptyConversation(ctx: ViewContext): HTMLElement {
  const b = (label: string, testid: string, fn: () => void): HTMLButtonElement => {
    const el = h('button', { class: 'btn btn--secondary', attrs: { type: 'button', 'data-testid': testid }, text: label });
    el.addEventListener('click', fn);
    return el;
  };
  const me = ctx.chat.me;
  const open = (r: Parameters<ViewContext['openRoom']>[0]): void => ctx.openRoom(r);
  return h(
    'div',
    { class: 'conv-empty' },
    h('div', { class: 'conv-empty__art', attrs: { 'aria-hidden': 'true' } }),
    h('h1', { class: 'conv-empty__title', text: `Hi, ${me.display_name || me.username}!` }),
    h('p', { text: 'Pick a conversation, or start a new one.' }),
    h(
      'div',
      { class: 'conv-empty__actions' },
      b('Create a room', 'empty-create-room', () => createRoomDialog(ctx.chat, open)),
      b('Browse public rooms', 'empty-browse', () => browseDialog(ctx.chat, open)),
    ),
  );
}
