// Conversations (issue 15, PROTOCOL §6): replies and jumping to the original, reactions seen live,
// @mentions with their badge and the `notification` event (in-app and, in a hidden tab, the
// browser's Notification API), the per-room notify level, and search that opens a room at the
// result — two people, Olive (gateway A) and Pete (gateway B).
//
//   CHATTY_URL=http://127.0.0.1:8080 node --test frontend/e2e/conversations.e2e.test.mjs
//
// Same environment as chat.e2e.test.mjs. Every wait is for a condition, never for a fixed time.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, BASE_B, STILL_LIGHT, SKIP, accessible, delivered, focusedTestId, launch, newPage, register,
  roomItem as roomNamed, send, shot, steps, suffix,
} from './harness.mjs';

const olive = { username: `olive_${suffix}`, display: 'Olive Tree', password: 'olive talks in threads' };
const pete = { username: `pete_${suffix}`, display: 'Pete Reader', password: 'pete reads the threads' };
const roomName = `Threads ${suffix}`;
const needle = `needle${suffix}`;

const problems = [];
let browser;
let ctxO;
let ctxP;
let pageO;
let pageP;

/** Headless Chromium cannot show notifications: a stand-in records every `new Notification`,
 * and its permission is asked (and granted) only through `requestPermission`. */
function fakeNotifications() {
  window.__notifications = [];
  window.__hidden = false;
  class FakeNotification extends EventTarget {
    static get permission() {
      return localStorage.getItem('__fake_permission') ?? 'default';
    }
    static async requestPermission() {
      window.__permissionAsked = (window.__permissionAsked ?? 0) + 1;
      localStorage.setItem('__fake_permission', 'granted');
      return 'granted';
    }
    constructor(title, options = {}) {
      super();
      window.__notifications.push({ title, body: options.body ?? '', tag: options.tag ?? '' });
    }
    close() {}
  }
  window.Notification = FakeNotification;
  // A "hidden tab" on demand (headless pages are always visible).
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (window.__hidden ? 'hidden' : 'visible') });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.__hidden });
}

/** A delivered message by its own text (a reply's quote repeats the original's). */
function byBody(page, text) {
  return page.locator('[data-testid="message"][data-seq]').filter({ has: page.getByTestId('message-body').filter({ hasText: text }) });
}

const roomItem = (page) => roomNamed(page, roomName);

const a11y = [];
const step = steps('conv-', () => ({ olive: pageO, pete: pageP }));

describe('chatty SPA conversations', { skip: SKIP }, () => {
  before(async () => {
    browser = await launch();
    ({ ctx: ctxO, page: pageO } = await newPage(browser, 'olive', problems, { context: STILL_LIGHT }));
    ({ ctx: ctxP, page: pageP } = await newPage(browser, 'pete', problems, { context: STILL_LIGHT, init: [fakeNotifications] }));
  });

  after(async () => {
    await ctxO?.close();
    await ctxP?.close();
    await browser?.close();
  });

  step('two people in a private room', async () => {
    await register(pageO, BASE, olive);
    await register(pageP, BASE_B, pete);
    await pageO.getByTestId('create-room-button').click();
    await pageO.getByTestId('room-name-input').fill(roomName);
    await pageO.getByTestId('room-kind-private').check();
    await pageO.getByTestId('create-room-submit').click();
    await pageO.getByTestId('room-title').filter({ hasText: roomName }).waitFor();
    await pageO.getByTestId('add-member-button').click();
    await pageO.getByTestId('member-add-input').fill(pete.username);
    await pageO.locator(`[data-testid="member-add-result"][data-username="${pete.username}"]`).click();
    await pageO.locator('[data-testid="member-add-result"][data-added="true"]').waitFor();
    await pageO.keyboard.press('Escape');
    await pageO.getByTestId('add-member-dialog').waitFor({ state: 'detached' });
    await roomItem(pageP).click();
    await pageP.getByTestId('room-title').filter({ hasText: roomName }).waitFor();
    await send(pageO, `the ${needle} we will look for later`);
    await send(pageO, 'What time is the demo?');
    await byBody(pageP, 'What time is the demo?').waitFor();
  });

  step('reply: the composer says to whom (Escape cancels), the reply quotes the original, "1 reply" lists it', async () => {
    const original = byBody(pageP, 'What time is the demo?');
    await original.hover();
    await original.getByTestId('reply-message').click();
    const bar = pageP.getByTestId('reply-bar');
    await bar.filter({ hasText: `Replying to ${olive.display}: What time is the demo?` }).waitFor();
    assert.equal(await focusedTestId(pageP), 'message-input', 'focus goes to the composer');
    await shot(pageP, 'desktop-reply-composer');
    a11y.push(...(await accessible(pageP, 'composer replying')));
    await pageP.keyboard.press('Escape');
    await bar.waitFor({ state: 'hidden' });

    await original.hover();
    await original.getByTestId('reply-message').click();
    await bar.waitFor();
    await pageP.keyboard.type('At three, in room 2');
    await pageP.keyboard.press('Enter');
    await bar.waitFor({ state: 'hidden' });
    for (const page of [pageO, pageP]) {
      const reply = delivered(page, 'At three, in room 2');
      await reply.getByTestId('reply-quote').filter({ hasText: 'What time is the demo?' }).waitFor();
      // The original is re-sent as message:updated with its reply count.
      await byBody(page, 'What time is the demo?').getByTestId('reply-count').filter({ hasText: '1 reply' }).waitFor();
    }

    await byBody(pageO, 'What time is the demo?').getByTestId('reply-count').click();
    await pageO.getByTestId('replies-dialog').waitFor();
    await pageO.getByTestId('reply-item').filter({ hasText: 'At three, in room 2' }).waitFor();
    await shot(pageO, 'desktop-replies-dialog');
    a11y.push(...(await accessible(pageO, 'replies dialog')));
    // "Show" closes the list and jumps to the reply in the conversation.
    await pageO.getByTestId('reply-open').click();
    await pageO.getByTestId('replies-dialog').waitFor({ state: 'detached' });
    const replySeq = await delivered(pageO, 'At three, in room 2').getAttribute('data-seq');
    await pageO.waitForFunction((seq) => document.activeElement?.getAttribute('data-seq') === seq, replySeq);

    // The quote jumps to the original (loaded here).
    await delivered(pageO, 'At three, in room 2').getByTestId('reply-quote').click();
    const originalSeq = await byBody(pageO, 'What time is the demo?').getAttribute('data-seq');
    await pageO.waitForFunction((seq) => document.activeElement?.getAttribute('data-seq') === seq, originalSeq);
    await pageO.locator(`[data-testid="message"][data-seq="${originalSeq}"][data-jump-target="true"]`).waitFor();
  });

  step('react: a small picker, the chip appears live for the other person, a click toggles it', async () => {
    const target = byBody(pageP, 'What time is the demo?');
    await target.hover();
    await target.getByTestId('react-message').click();
    await pageP.getByTestId('emoji-picker').waitFor();
    assert.equal(await focusedTestId(pageP), 'emoji-option', 'focus starts in the grid');
    await shot(pageP, 'desktop-emoji-picker');
    a11y.push(...(await accessible(pageP, 'emoji picker')));
    await pageP.locator('[data-testid="emoji-option"][data-emoji="👍"]').click();
    await pageP.getByTestId('emoji-picker').waitFor({ state: 'detached' });

    const chip = (page) => byBody(page, 'What time is the demo?').locator('[data-testid="reaction"][data-emoji="👍"]');
    await chip(pageP).and(pageP.locator('[aria-pressed="true"][data-count="1"]')).waitFor();
    await chip(pageO).and(pageO.locator('[aria-pressed="false"][data-count="1"]')).waitFor(); // live, on the other gateway
    await chip(pageO).click();
    await chip(pageO).and(pageO.locator('[aria-pressed="true"][data-count="2"]')).waitFor();
    await chip(pageP).and(pageP.locator('[aria-pressed="true"][data-count="2"]')).waitFor();
    assert.match(await chip(pageP).getAttribute('aria-label'), /you and Olive Tree/);
    await shot(pageO, 'desktop-reactions-and-replies');
    a11y.push(...(await accessible(pageO, 'message with reactions')));
    await chip(pageO).click();
    await chip(pageP).and(pageP.locator('[data-count="1"]')).waitFor();
    await chip(pageP).click();
    await chip(pageO).waitFor({ state: 'detached' });
    await chip(pageP).waitFor({ state: 'detached' });
  });

  step('mentions: @ autocomplete by keyboard, a badge in the other sidebar, the notification in-app and on the desktop', async () => {
    await pageP.goto(`${BASE_B}/#/rooms`); // Pete is elsewhere: not looking at the room
    await roomItem(pageP).waitFor();
    await pageO.getByTestId('message-input').focus();
    await pageO.keyboard.type(`Hey @${pete.username.slice(0, 4)}`);
    const option = pageO.locator(`[data-testid="mention-option"][data-username="${pete.username}"]`);
    await option.waitFor();
    // Olive herself is never offered.
    assert.equal(await pageO.locator(`[data-testid="mention-option"][data-username="${olive.username}"]`).count(), 0);
    await pageO.locator('[data-testid="mention-option"][aria-selected="true"]').first().waitFor();
    await shot(pageO, 'desktop-mention-autocomplete');
    a11y.push(...(await accessible(pageO, 'mention autocomplete', async () => {
      await pageO.getByTestId('mention-list').waitFor();
    })));
    // Down/Up move; Enter inserts the chosen name instead of sending.
    const selected = () => pageO.locator('[data-testid="mention-option"][aria-selected="true"]').getAttribute('data-username');
    const first = await selected();
    await pageO.keyboard.press('ArrowDown');
    await pageO.keyboard.press('ArrowUp');
    assert.equal(await selected(), first);
    const index = await pageO.locator('[data-testid="mention-option"]').evaluateAll((els, name) => els.findIndex((e) => e.dataset.username === name), pete.username);
    for (let i = 0; i < index; i++) await pageO.keyboard.press('ArrowDown');
    await pageO.keyboard.press('Enter');
    await pageO.getByTestId('mention-list').waitFor({ state: 'hidden' });
    assert.equal(await pageO.getByTestId('message-input').inputValue(), `Hey @${pete.username} `);
    await pageO.keyboard.type('are you coming?');
    await pageO.keyboard.press('Enter');
    await delivered(pageO, 'are you coming?').waitFor();

    await roomItem(pageP).getByTestId('mention-badge').filter({ hasText: '@1' }).waitFor();
    await pageP.getByTestId('toast').filter({ hasText: `${olive.display} mentioned you` }).waitFor();
    await shot(pageP, 'desktop-mention-badge');
    a11y.push(...(await accessible(pageP, 'room list with a mention badge')));

    // Desktop notifications: asked for from a button in the account settings, shown when hidden.
    await pageP.getByTestId('settings-link').click();
    await pageP.getByTestId('enable-notifications').click();
    await pageP.locator('[data-testid="notifications-status"][data-permission="granted"]').waitFor();
    assert.equal(await pageP.evaluate(() => window.__permissionAsked), 1);
    await pageP.getByTestId('settings-back').click();
    await roomItem(pageP).waitFor();
    await pageP.evaluate(() => {
      window.__hidden = true;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await send(pageO, `@${pete.username} second ping`);
    await pageP.waitForFunction(() => window.__notifications.length === 1);
    const note = await pageP.evaluate(() => window.__notifications[0]);
    assert.equal(note.title, `${olive.display} mentioned you in #${roomName}`);
    assert.match(note.body, /second ping/);
    await roomItem(pageP).getByTestId('mention-badge').filter({ hasText: '@2' }).waitFor();
    await pageP.evaluate(() => {
      window.__hidden = false;
      document.dispatchEvent(new Event('visibilitychange'));
    });

    // Reading the room clears the badge; the messages that mention Pete stand out.
    await roomItem(pageP).click();
    await delivered(pageP, 'second ping').and(pageP.locator('[data-mentioned="true"]')).waitFor();
    await roomItem(pageP).getByTestId('mention-badge').waitFor({ state: 'detached' });
    assert.equal(await byBody(pageP, 'What time is the demo?').getAttribute('data-mentioned'), null);
  });

  step('notify level: per room, saved on the server', async () => {
    await pageP.getByTestId('notify-button').click();
    await pageP.getByTestId('notify-dialog').waitFor();
    a11y.push(...(await accessible(pageP, 'notify level dialog')));
    await pageP.getByTestId('notify-mentions').check();
    await pageP.getByTestId('notify-status').filter({ hasText: 'Saved' }).waitFor();
    await pageP.keyboard.press('Escape');
    await pageP.getByTestId('notify-dialog').waitFor({ state: 'detached' });
    await pageP.locator('[data-testid="notify-button"][data-level="mentions"]').waitFor();
    await pageP.reload();
    await pageP.locator('[data-testid="notify-button"][data-level="mentions"]').waitFor();
  });

  step('search: results by room with highlights, "/" opens it, a result opens the room at the message (around_seq)', async () => {
    // Push the first messages out of the latest page (50).
    for (let i = 1; i <= 52; i++) {
      const input = pageO.getByTestId('message-input');
      await input.fill(`filler ${i}`);
      await input.press('Enter');
      // Well under the rate limit (20/s, burst 40): wait for every tenth.
      if (i % 10 === 0 || i === 52) await delivered(pageO, `filler ${i}`).waitFor();
    }
    await pageO.reload();
    await delivered(pageO, 'filler 52').waitFor();
    assert.equal(await delivered(pageO, needle).count(), 0, 'not loaded after the reload');

    // "/" outside a text field: from the message list (Shift+Tab from the composer).
    await pageO.getByTestId('message-input').focus();
    await pageO.keyboard.press('Shift+Tab');
    await pageO.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'message');
    await pageO.keyboard.press('/');
    await pageO.getByTestId('search-dialog').waitFor();
    assert.equal(await focusedTestId(pageO), 'search-input');
    await pageO.keyboard.type(needle);
    const result = pageO.getByTestId('search-result').filter({ hasText: needle });
    await result.waitFor();
    assert.equal(await result.locator('mark').first().textContent(), needle, 'the match is marked');
    assert.equal(await pageO.getByTestId('search-group').count(), 1);
    assert.match(await pageO.getByTestId('search-group').locator('h3').textContent(), new RegExp(roomName));
    await shot(pageO, 'desktop-search');
    a11y.push(...(await accessible(pageO, 'search results')));
    const seq = await result.getAttribute('data-seq');
    await pageO.keyboard.press('ArrowDown'); // to the first result
    assert.equal(await focusedTestId(pageO), 'search-result');
    await pageO.keyboard.press('Enter');
    await pageO.getByTestId('search-dialog').waitFor({ state: 'detached' });
    await pageO.locator(`[data-testid="message"][data-seq="${seq}"][data-jump-target="true"]`).filter({ hasText: needle }).waitFor();
    await pageO.waitForFunction((s) => document.activeElement?.getAttribute('data-seq') === s, seq);
    const visible = await pageO.evaluate((s) => {
      const m = document.querySelector(`[data-testid="message"][data-seq="${s}"]`).getBoundingClientRect();
      const box = document.querySelector('[data-testid="message-scroller"]').getBoundingClientRect();
      return m.top >= box.top && m.bottom <= box.bottom;
    }, seq);
    assert.equal(visible, true, 'scrolled to the result');
    // No hole: everything between the result and the latest page is there, once each.
    const seqs = await pageO.locator('[data-testid="message"][data-seq]').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
    assert.deepEqual(seqs, seqs.map((_, i) => seqs[0] + i), 'contiguous');

    // Ctrl+Shift+F also opens it; "More results" pages with before_id.
    await pageO.keyboard.press('Control+Shift+F');
    await pageO.getByTestId('search-input').fill('filler');
    await pageO.getByTestId('search-result').first().waitFor();
    assert.equal(await pageO.getByTestId('search-result').count(), 20);
    await pageO.getByTestId('search-more').click();
    await pageO.waitForFunction(() => document.querySelectorAll('[data-testid="search-result"]').length === 40);
    const ids = await pageO.getByTestId('search-result').evaluateAll((els) => els.map((e) => e.dataset.seq));
    assert.equal(new Set(ids).size, 40, 'no result twice');
    await pageO.keyboard.press('Escape');
    await pageO.getByTestId('search-dialog').waitFor({ state: 'detached' });
  });

  step('a quote of a message that is not loaded loads the page around it and jumps there', async () => {
    // Olive answers the early question again (she reaches it through search).
    await pageO.keyboard.press('Control+Shift+F');
    await pageO.getByTestId('search-input').fill('demo');
    await pageO.getByTestId('search-result').filter({ hasText: 'What time is the demo?' }).click();
    const originalSeq = await byBody(pageO, 'What time is the demo?').getAttribute('data-seq');
    await pageO.waitForFunction((s) => document.activeElement?.getAttribute('data-seq') === s, originalSeq);
    await pageO.keyboard.press('Enter'); // the focused message's first action: Reply
    assert.equal(await focusedTestId(pageO), 'reply-message');
    await pageO.keyboard.press('Enter');
    await pageO.getByTestId('reply-bar').waitFor();
    await pageO.keyboard.type('Still at three');
    await pageO.keyboard.press('Enter');
    await delivered(pageP, 'Still at three').waitFor();

    await pageP.reload();
    const reply = delivered(pageP, 'Still at three');
    await reply.waitFor();
    assert.equal(await pageP.locator(`[data-testid="message"][data-seq="${originalSeq}"]`).count(), 0, 'the original is not loaded');
    await reply.getByTestId('reply-quote').click();
    await pageP.locator(`[data-testid="message"][data-seq="${originalSeq}"][data-jump-target="true"]`).waitFor();
    await pageP.waitForFunction((s) => document.activeElement?.getAttribute('data-seq') === s, originalSeq);
    await byBody(pageP, 'What time is the demo?').getByTestId('reply-count').filter({ hasText: '2 replies' }).waitFor();
  });

  step('axe-core found no serious or critical violations; no page errors, dialogs or CSP violations', async () => {
    assert.deepEqual(a11y, [], `axe-core found serious or critical violations:\n${a11y.join('\n')}`);
    assert.deepEqual(problems, []);
  });
});
