// End-to-end test of the SPA against a running chatty: two people in two browser contexts.
//
//   CHATTY_URL=http://127.0.0.1:8080 node --test frontend/e2e/
//
// The environment (CHATTY_URL, CHATTY_URL_B, CHATTY_CONTROL_URL, SCREENSHOT_DIR, CHROMIUM_PATH,
// E2E_HEADED) is read by ./harness.mjs. Without CHATTY_CONTROL_URL the server-restart step is
// skipped; screenshots of the main screens are at desktop 1280x800 and phone 390x844.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, BASE_B, CONTROL, DESKTOP, PHONE, SKIP, control, delivered, launch, newPage, send, shot, steps, suffix,
} from './harness.mjs';

const alice = { username: `alice_${suffix}`, display: 'Alice Example', password: 'correct horse battery' };
const bob = { username: `bob_${suffix}`, display: 'Bob Builder', password: 'another good password' };
const roomName = 'Launch planning';

/** Everything that must never happen: a JS dialog (XSS), a page error, a CSP violation. */
const problems = [];

let browser;
let ctxA;
let ctxB;
let pageA;
let pageB;

/** Alice's browser uses gateway A, Bob's gateway B. */
const baseOf = (page) => (page === pageB ? BASE_B : BASE);

async function register(page, user, shotName) {
  await page.goto(`${baseOf(page)}/#/register`);
  await page.getByTestId('register-username').fill(user.username);
  await page.getByTestId('register-display-name').fill(user.display);
  await page.getByTestId('register-password').fill(user.password);
  await page.getByTestId('register-submit').click();
  const phrase = page.getByTestId('recovery-phrase-text');
  await phrase.waitFor({ state: 'attached' });
  const words = (await phrase.textContent()).trim().split(/\s+/);
  assert.equal(words.length, 24, 'the recovery phrase has 24 words');
  await page.getByTestId('recovery-phrase').waitFor();
  if (shotName) await shot(page, shotName);
  await page.getByTestId('saved-it').click();
  await page.getByTestId('create-room-button').waitFor();
  await page.getByTestId('me-name').filter({ hasText: user.display }).waitFor();
  return words.join(' ');
}

const step = steps('', () => ({ alice: pageA, bob: pageB }));

async function seqsOf(page) {
  return page.$$eval('[data-testid="message"][data-seq]', (els) => els.map((e) => Number(e.getAttribute('data-seq'))));
}

/** The texts of the delivered messages of the open conversation, in order. */
async function bodiesOf(page) {
  return page.$$eval('[data-testid="message"][data-seq] [data-testid="message-body"]', (els) =>
    els.map((e) => e.textContent.trim()),
  );
}

describe('chatty SPA end to end', { skip: SKIP }, () => {
  before(async () => {
    browser = await launch();
    ({ ctx: ctxA, page: pageA } = await newPage(browser, 'alice', problems, { axe: false }));
    ({ ctx: ctxB, page: pageB } = await newPage(browser, 'bob', problems, { axe: false }));
  });

  after(async () => {
    await ctxA?.close();
    await ctxB?.close();
    await browser?.close();
  });

  step('shows the sign-in screen to a visitor', async () => {
    await pageA.goto(`${BASE}/`);
    await pageA.getByTestId('login-form').waitFor();
    await pageA.getByTestId('login-username').waitFor();
    await shot(pageA, 'desktop-login');
  });

  step('registers two people, each shown a 24-word recovery phrase once', async () => {
    await register(pageA, alice, 'desktop-register-phrase');
    bob.phrase = await register(pageB, bob);
  });

  step('creates a private room and adds the other person', async () => {
    await pageA.getByTestId('create-room-button').click();
    const form = pageA.getByTestId('create-room-form');
    await form.waitFor();
    await pageA.getByTestId('room-name-input').fill(roomName);
    await pageA.getByTestId('room-kind-private').check();
    await shot(pageA, 'desktop-create-room');
    await pageA.getByTestId('create-room-submit').click();
    await pageA.waitForURL(/#\/rooms\/\d+$/);
    await pageA.getByTestId('room-title').filter({ hasText: roomName }).waitFor();

    await pageA.getByTestId('add-member-button').click();
    await pageA.getByTestId('member-add-input').fill(bob.username);
    const result = pageA.locator(`[data-testid="member-add-result"][data-username="${bob.username}"]`);
    await result.click();
    await pageA.locator(`[data-testid="member-add-result"][data-added="true"]`).waitFor();
    await shot(pageA, 'desktop-add-member');
    await pageA.keyboard.press('Escape');
    await pageA.getByTestId('add-member-dialog').waitFor({ state: 'detached' });
  });

  step('delivers messages both ways, live', async () => {
    await send(pageA, 'Hello Bob, welcome to the room!');
    const item = pageB.locator(`[data-testid="room-item"][data-room-name="${roomName}"]`);
    await item.waitFor();
    await item.click();
    await delivered(pageB, 'Hello Bob, welcome to the room!').waitFor();

    await send(pageB, 'Hi Alice! Glad to be here.', { viaButton: true });
    await delivered(pageA, 'Hi Alice! Glad to be here.').waitFor();

    // Shift+Enter is a newline, Enter sends.
    const input = pageB.getByTestId('message-input');
    await input.fill('first line');
    await input.press('Shift+Enter');
    await input.pressSequentially('second line');
    await input.press('Enter');
    const multi = delivered(pageA, 'second line');
    await multi.waitFor();
    assert.match(await multi.getByTestId('message-body').innerText(), /first line\s*\n\s*second line/);
  });

  step('shows who is typing', async () => {
    await pageA.getByTestId('message-input').pressSequentially('typing something', { delay: 20 });
    await pageB.getByTestId('typing-indicator').filter({ hasText: alice.display }).waitFor();
    await pageA.getByTestId('message-input').fill('');
  }, { independent: true });

  step('never runs markup from a message', async () => {
    // Pure markup may be cleaned down to nothing (and refused); mixed with text it is delivered.
    const attempts = [
      '<img src=x onerror=alert(1)>',
      '<script>alert(1)</script>',
      'img <img src=x onerror=alert(1)> attempt',
      'script <script>alert(1)</script> attempt',
      'link <a href="javascript:alert(1)">click</a> attempt',
      'after the <b>bold</b> attempts',
    ];
    const input = pageA.getByTestId('message-input');
    for (const body of attempts) {
      await input.fill(body);
      await input.press('Enter');
    }
    await delivered(pageB, 'after the').waitFor();
    await delivered(pageA, 'after the').waitFor();
    for (const page of [pageA, pageB]) {
      const unsafe = await page.$$eval('[data-testid="message-body"]', (els) =>
        els.flatMap((el) =>
          [...el.querySelectorAll('*')]
            .filter(
              (n) =>
                !['B', 'I', 'EM', 'STRONG', 'CODE', 'PRE', 'A', 'BR'].includes(n.tagName) ||
                [...n.attributes].some((a) => a.name.startsWith('on')) ||
                /^\s*javascript:/i.test(n.getAttribute('href') ?? ''),
            )
            .map((n) => n.outerHTML),
        ),
      );
      assert.deepEqual(unsafe, [], 'only safe inline markup is rendered');
    }
    // Give a would-be handler (an image error, say) a moment to fire before checking.
    await pageB.waitForTimeout(300);
    assert.deepEqual(problems, []);
    // What was cleaned down to nothing was refused: its author discards it.
    await pageA.waitForFunction(
      () => document.querySelectorAll('[data-testid="message"]:not([data-seq]):not([data-state="failed"])').length === 0,
    );
    const refused = pageA.locator('[data-testid="message"][data-state="failed"]');
    for (let n = await refused.count(); n > 0; n--) {
      await refused.first().getByTestId('discard-message').click();
      await refused.nth(n - 1).waitFor({ state: 'detached' });
    }
  });

  step('lets the author edit and delete a message, live for the other', async () => {
    await send(pageA, 'a message to edit');
    await send(pageA, 'a message to delete');
    const toEdit = delivered(pageA, 'a message to edit');
    await toEdit.hover();
    await toEdit.getByTestId('edit-message').click();
    const editor = pageA.getByTestId('edit-input');
    await editor.fill('an edited message');
    await editor.press('Enter');
    await delivered(pageB, 'an edited message').filter({ hasText: '(edited)' }).waitFor();

    const toDelete = delivered(pageA, 'a message to delete');
    await toDelete.hover();
    await toDelete.getByTestId('delete-message').click();
    await pageA.getByTestId('confirm-yes').click();
    await delivered(pageB, 'a message to delete').waitFor({ state: 'detached' });
    await pageB.locator('.msg--deleted').first().waitFor();
  }, { independent: true });

  step('counts unread messages in the room list', async () => {
    await shot(pageB, 'desktop-conversation');
    await pageB.goto(`${BASE_B}/#/rooms`);
    const item = pageB.locator(`[data-testid="room-item"][data-room-name="${roomName}"]`);
    await item.waitFor();
    await send(pageA, 'are you there?');
    await item.getByTestId('unread-badge').filter({ hasText: '1' }).waitFor();
    await shot(pageB, 'desktop-room-list-unread');
    await item.click();
    await delivered(pageB, 'are you there?').waitFor();
    await item.getByTestId('unread-badge').waitFor({ state: 'detached' });
  });

  step('shows the full history, in order and without duplicates, after a reload', async () => {
    await pageB.reload();
    await delivered(pageB, 'are you there?').waitFor();
    await delivered(pageB, 'Hello Bob, welcome to the room!').waitFor();
    const seqs = await seqsOf(pageB);
    const live = await seqsOf(pageA); // what Alice saw arrive live, in the same room
    assert.ok(seqs.length >= 6, `expected the whole history, got ${seqs.length} messages`);
    assert.deepEqual(seqs, live, 'the history after a reload is what was delivered live');
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'ascending seq');
    assert.equal(new Set(seqs).size, seqs.length, 'no duplicates');
    assert.equal(await pageB.locator('[data-testid="message"]:not([data-seq])').count(), 0, 'nothing left pending');
  });

  step('shows a reconnecting banner offline, then fills the gap without duplicates', async () => {
    await pageA.goto(`${BASE}/#/rooms`);
    const item = pageA.locator(`[data-testid="room-item"][data-room-name="${roomName}"]`);
    await item.click();
    await delivered(pageA, 'are you there?').waitFor();
    await ctxA.setOffline(true);
    await pageA.getByTestId('reconnecting-banner').waitFor({ state: 'visible' });
    await shot(pageA, 'desktop-reconnecting');
    await send(pageB, 'sent while Alice was offline');
    await send(pageB, 'and one more');
    await ctxA.setOffline(false);
    await pageA.getByTestId('reconnecting-banner').waitFor({ state: 'hidden' });
    await delivered(pageA, 'and one more').waitFor();
    await delivered(pageA, 'sent while Alice was offline').waitFor();
    const a = await seqsOf(pageA);
    const b = await seqsOf(pageB);
    assert.deepEqual(a, b, 'both see the same messages');
    assert.equal(new Set(a).size, a.length, 'no duplicates');
  });

  step('reconnects by itself after the server restarts, losing and repeating nothing', async (t) => {
    if (!CONTROL) {
      t.skip('set CHATTY_CONTROL_URL to a control endpoint that can restart the server');
      return;
    }
    await delivered(pageB, 'and one more').waitFor();
    await delivered(pageA, 'and one more').waitFor();
    const before = await seqsOf(pageA);
    assert.deepEqual(await seqsOf(pageB), before, 'both see the same messages before the restart');

    await control('stop'); // every gateway and the worker are killed
    await pageA.getByTestId('reconnecting-banner').waitFor({ state: 'visible' });
    await pageB.getByTestId('reconnecting-banner').waitFor({ state: 'visible' });
    // Written while the server is down: shown as pending at once, sent after reconnecting.
    const during = ['written while the server was down', 'me too, during the restart'];
    for (const [page, text] of [[pageA, during[0]], [pageB, during[1]]]) {
      const input = page.getByTestId('message-input');
      await input.fill(text);
      await input.press('Enter');
      await page.locator('[data-testid="message"]:not([data-seq])').filter({ hasText: text }).waitFor();
    }
    await shot(pageA, 'desktop-server-restart');

    await control('start'); // the same ports again
    for (const page of [pageA, pageB]) {
      await page.getByTestId('reconnecting-banner').waitFor({ state: 'hidden', timeout: 30_000 });
      for (const text of during) await delivered(page, text).waitFor({ timeout: 30_000 });
    }
    const after = ['back after the restart', 'welcome back'];
    await send(pageA, after[0]);
    await delivered(pageB, after[0]).waitFor();
    await send(pageB, after[1], { viaButton: true });
    await delivered(pageA, after[1]).waitFor();

    const a = await seqsOf(pageA);
    const b = await seqsOf(pageB);
    assert.deepEqual(a, b, 'both see the same messages after the restart');
    assert.deepEqual(a.slice(0, before.length), before, 'nothing from before the restart changed');
    const first = a[0];
    assert.deepEqual(a, a.map((_, i) => first + i), 'seq ascending, no gap, no repeat');
    assert.equal(a.length, before.length + 4, 'each message of the restart exactly once');
    for (const page of [pageA, pageB]) {
      const bodies = await bodiesOf(page);
      for (const text of [...during, ...after]) {
        assert.equal(bodies.filter((x) => x === text).length, 1, `"${text}" exactly once`);
      }
      assert.equal(await page.locator('[data-testid="message"]:not([data-seq])').count(), 0, 'nothing left pending');
    }
    // What the server stored is what was seen live.
    await pageB.reload();
    await delivered(pageB, after[1]).waitFor();
    assert.deepEqual(await seqsOf(pageB), a, 'the history after a reload matches');
    assert.deepEqual(await bodiesOf(pageB), await bodiesOf(pageA));
  });

  step('starts a direct message from a user search', async () => {
    await pageB.getByTestId('new-dm-button').click();
    await pageB.getByTestId('dm-search-input').fill(alice.username.slice(0, 8));
    await pageB.locator(`[data-testid="dm-result"][data-username="${alice.username}"]`).click();
    await pageB.getByTestId('room-title').filter({ hasText: alice.display }).waitFor();
    await send(pageB, 'a private word');
    const dm = pageA.locator('[data-testid="room-item"][data-room-kind="dm"]').filter({ hasText: bob.display });
    await dm.waitFor();
    await dm.click();
    await delivered(pageA, 'a private word').waitFor();
    await shot(pageA, 'desktop-direct-message');
  });

  step('works at phone width', async () => {
    await pageB.setViewportSize(PHONE);
    await pageB.goto(`${BASE_B}/#/rooms`);
    const item = pageB.locator(`[data-testid="room-item"][data-room-name="${roomName}"]`);
    await item.waitFor();
    await shot(pageB, 'phone-room-list');
    await item.click();
    await delivered(pageB, 'are you there?').waitFor();
    await pageB.getByTestId('message-input').waitFor();
    assert.equal(await pageB.getByTestId('room-list').isVisible(), false, 'the room list collapses');
    await shot(pageB, 'phone-conversation');
    await pageB.getByTestId('back-button').click();
    await pageB.getByTestId('room-list').waitFor({ state: 'visible' });

    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const page = await phone.newPage();
    await page.goto(`${BASE}/`);
    await page.getByTestId('login-form').waitFor();
    await shot(page, 'phone-login');
    await page.goto(`${BASE}/#/register`);
    await page.getByTestId('register-form').waitFor();
    await shot(page, 'phone-register');
    await phone.close();
  });

  step('signs out, recovers with the phrase (getting a new one) and signs in again', async () => {
    await pageB.setViewportSize(DESKTOP);
    await pageB.getByTestId('logout-button').click();
    await pageB.getByTestId('login-form').waitFor();
    await pageB.getByTestId('login-username').fill(bob.username);
    await pageB.getByTestId('login-password').fill('wrong password');
    await pageB.getByTestId('login-submit').click();
    await pageB.getByTestId('login-error').waitFor();

    await pageB.getByTestId('go-recover').click();
    await pageB.getByTestId('recover-username').fill(bob.username);
    await pageB.getByTestId('recover-phrase').fill(bob.phrase.toUpperCase());
    await pageB.getByTestId('recover-password').fill('a brand new password');
    await pageB.getByTestId('recover-submit').click();
    const fresh = pageB.getByTestId('recovery-phrase-text');
    await fresh.waitFor({ state: 'attached' });
    const phrase = (await fresh.textContent()).trim();
    assert.equal(phrase.split(/\s+/).length, 24);
    assert.notEqual(phrase, bob.phrase, 'a new phrase replaces the old one');
    await pageB.getByTestId('saved-it').click();
    await pageB.locator(`[data-testid="room-item"][data-room-name="${roomName}"]`).waitFor();

    await pageB.getByTestId('logout-button').click();
    await pageB.getByTestId('login-username').fill(bob.username);
    await pageB.getByTestId('login-password').fill('a brand new password');
    await pageB.getByTestId('login-submit').click();
    await pageB.getByTestId('create-room-button').waitFor();
  });

  step('had no dialogs, page errors or CSP violations', async () => {
    assert.deepEqual(problems, []);
  });
});
