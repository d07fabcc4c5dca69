// Rooms people can run (issue 14, PROTOCOL §6): the room settings panel (rename, topic, roles),
// a moderator deleting someone else's message, kick and ban with the notice in the removed
// person's own browser, blocking, the profile editor, and "delete room" — three people: Erin (the
// owner), Finn and Gail. Finn is on the second gateway, so every live update crosses nodes.
//
// Same environment as chat.e2e.test.mjs (CHATTY_URL, CHATTY_URL_B, SCREENSHOT_DIR, CHROMIUM_PATH,
// E2E_HEADED). Every wait is for a condition, never for a fixed time.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, BASE_B, BASE_BUSY, CONTROL, STILL_LIGHT, SKIP, TIMEOUT, accessible as violations, control, delivered,
  focusedTestId, launch, newPage, register as registerAt, roomItem, send, shot, steps, suffix,
} from './harness.mjs';

const erin = { username: `erin_${suffix}`, display: 'Erin Owner', password: 'erin runs the room' };
const finn = { username: `finn_${suffix}`, display: 'Finn Member', password: 'finn just chats here' };
const gail = { username: `gail_${suffix}`, display: 'Gail Helper', password: 'gail keeps order' };
const firstName = `Town hall ${suffix}`;
const newName = `Town square ${suffix}`;
const topic = 'Weekly questions, answered on Fridays';

const problems = [];
const a11y = [];
let browser;
const people = {};

const openPage = (who) => newPage(browser, who, problems, { context: STILL_LIGHT });
/** axe-core at desktop and phone width, light and dark (screenshots of both widths when asked). */
const accessible = async (p, screen, shotName = null) => a11y.push(...(await violations(p, screen, undefined, { shotName })));
const register = (who, user, base) => registerAt(page(who), base, user);
const page = (who) => people[who].page;
const settingsMember = (p, user) => p.locator(`[data-testid="settings-member"][data-username="${user.username}"]`);

async function addMember(p, user) {
  await p.getByTestId('add-member-button').click();
  await p.getByTestId('member-add-input').fill(user.username);
  await p.locator(`[data-testid="member-add-result"][data-username="${user.username}"]`).click();
  await p.locator(`[data-testid="member-add-result"][data-username="${user.username}"][data-added="true"]`).waitFor();
  await p.getByTestId('dialog-close').click();
}

async function openSettings(p) {
  await p.getByTestId('room-settings-button').click();
  await p.getByTestId('room-settings-dialog').waitFor();
}

/** A REST call with the page's own session (to check what the server decided). */
function apiStatus(p, method, route, body) {
  return p.evaluate(
    async ([method, route, body]) => {
      const token = JSON.parse(localStorage.getItem('chatty.session.v1')).accessToken;
      const init = { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } };
      if (body !== undefined) init.body = JSON.stringify(body);
      return (await fetch(`/api/v1${route}`, init)).status;
    },
    [method, route, body],
  );
}

const step = steps('moderation-', () => Object.fromEntries(Object.keys(people).map((who) => [who, page(who)])));

describe('chatty SPA moderation', { skip: SKIP }, () => {
  let roomId;

  before(async () => {
    browser = await launch();
    for (const who of ['erin', 'finn', 'gail']) people[who] = await openPage(who);
  });

  after(async () => {
    for (const who of Object.keys(people)) await people[who].ctx.close().catch(() => {});
    await browser?.close();
  });

  step('three people; Erin creates a room and adds Finn and Gail', async () => {
    await register('erin', erin, BASE);
    await register('finn', finn, BASE_B);
    await register('gail', gail, BASE);
    const e = page('erin');
    await e.getByTestId('create-room-button').click();
    await e.getByTestId('room-name-input').fill(firstName);
    await e.getByTestId('room-kind-private').check();
    await e.getByTestId('create-room-submit').click();
    await e.getByTestId('room-title').filter({ hasText: firstName }).waitFor();
    roomId = Number(await roomItem(e, firstName).getAttribute('data-room-id'));
    await addMember(e, finn);
    await addMember(e, gail);
    for (const who of ['finn', 'gail']) {
      await roomItem(page(who), firstName).click();
      await page(who).getByTestId('room-title').filter({ hasText: firstName }).waitFor();
    }
    await send(page('finn'), 'hello from Finn');
  });

  step('members see the panel read-only: no rename, no kick, no delete', async () => {
    const f = page('finn');
    assert.equal(await f.getByTestId('add-member-button').isVisible(), false, 'a private room takes members from admins only');
    await openSettings(f);
    await settingsMember(f, erin).waitFor();
    assert.equal(await settingsMember(f, erin).getAttribute('data-role'), 'owner');
    assert.equal(await f.getByTestId('room-settings-form').isVisible(), false);
    assert.equal(await f.getByTestId('kick-member').count(), 0);
    assert.equal(await f.getByTestId('promote-member').count(), 0);
    assert.equal(await f.getByTestId('delete-room-button').isVisible(), false);
    await f.getByTestId('dialog-close').click();
    const mine = delivered(f, 'hello from Finn');
    assert.equal(await delivered(f, 'hello from Finn').getByTestId('edit-message').count(), 1, 'own message: edit');
    await delivered(page('gail'), 'hello from Finn').waitFor();
    assert.equal(await delivered(page('gail'), 'hello from Finn').getByTestId('delete-message').count(), 0, 'a member cannot delete others');
    void mine;
  });

  step('the owner renames the room and sets a topic; everyone sees it live', async () => {
    const e = page('erin');
    await openSettings(e);
    assert.equal(await focusedTestId(e), 'room-name-edit', 'focus starts on the name');
    await settingsMember(e, gail).waitFor();
    await accessible(e, 'room settings', 'room-settings');
    await e.getByTestId('room-name-edit').fill(newName);
    await e.getByTestId('room-topic-edit').fill(topic);
    await e.getByTestId('room-settings-save').click();
    await e.getByTestId('room-settings-status').filter({ hasText: 'Saved' }).waitFor();
    await e.getByTestId('dialog-close').click();
    await e.getByTestId('room-title').filter({ hasText: newName }).waitFor();
    for (const who of ['finn', 'gail']) {
      const p = page(who);
      await p.getByTestId('room-title').filter({ hasText: newName }).waitFor();
      await p.getByTestId('room-topic').filter({ hasText: topic }).waitFor();
      await roomItem(p, newName).waitFor();
    }
  });

  step('the owner makes Gail an admin; she may delete Finn\'s message, not edit it', async () => {
    const e = page('erin');
    await openSettings(e);
    await settingsMember(e, gail).getByTestId('promote-member').click();
    await e.locator(`[data-testid="settings-member"][data-username="${gail.username}"][data-role="admin"]`).waitFor();
    await e.getByTestId('dialog-close').click();

    const g = page('gail');
    // A role change has no event; her panel reads the room list again and shows her as admin.
    await openSettings(g);
    await g.getByTestId('room-settings-form').waitFor();
    await g.getByTestId('dialog-close').click();
    const theirs = delivered(g, 'hello from Finn');
    await theirs.getByTestId('delete-message').waitFor({ state: 'attached' });
    assert.equal(await theirs.getByTestId('edit-message').count(), 0, 'editing stays the author\'s');
    await theirs.hover();
    await theirs.getByTestId('delete-message').click();
    await g.getByTestId('confirm-yes').click();
    await delivered(page('finn'), 'This message was deleted.').waitFor();
    await delivered(e, 'This message was deleted.').waitFor();
  });

  step('Gail changes her display name in account settings; the owner sees it', async () => {
    const g = page('gail');
    await g.getByTestId('settings-link').click();
    await g.getByTestId('profile-form').waitFor();
    assert.equal(await focusedTestId(g), 'profile-display-name');
    await g.getByTestId('profile-display-name').fill('Gail the Moderator');
    await g.getByTestId('profile-submit').click();
    await g.getByTestId('profile-done').filter({ hasText: 'Gail the Moderator' }).waitFor();
    await accessible(g, 'account settings with profile');
    await g.getByTestId('settings-back').click();
    await roomItem(g, newName).click();
    await g.getByTestId('room-title').filter({ hasText: newName }).waitFor();

    const e = page('erin');
    await openSettings(e);
    await settingsMember(e, gail).filter({ hasText: 'Gail the Moderator' }).waitFor();
    await e.getByTestId('dialog-close').click();
  });

  step('the owner removes Finn: Finn\'s own browser says so, the room leaves his list', async () => {
    const e = page('erin');
    const f = page('finn');
    await openSettings(e);
    await settingsMember(e, finn).getByTestId('kick-member').click();
    await e.getByTestId('confirm-dialog').waitFor();
    await e.getByTestId('confirm-yes').click();
    await settingsMember(e, finn).waitFor({ state: 'detached' });
    await e.getByTestId('dialog-close').click();

    const notice = f.locator('[data-testid="removed-notice"][data-reason="kicked"]');
    await notice.waitFor();
    assert.match(await f.getByTestId('removed-title').textContent(), /You were removed from/);
    assert.equal(await focusedTestId(f), 'removed-title', 'focus moves to the notice');
    await roomItem(f, newName).waitFor({ state: 'detached' });
    await accessible(f, 'removed notice', 'removed-notice');
    assert.equal(await apiStatus(f, 'GET', `/rooms/${roomId}/messages`), 403, 'history is closed to him');
    await f.getByTestId('removed-back').click();
    await f.getByTestId('create-room-button').waitFor();
  });

  step('the owner bans Finn after adding him back, then lifts the ban', async () => {
    const e = page('erin');
    const f = page('finn');
    await addMember(e, finn);
    await roomItem(f, newName).click();
    await f.getByTestId('room-title').filter({ hasText: newName }).waitFor();
    await openSettings(e);
    await settingsMember(e, finn).getByTestId('ban-member').click();
    await e.getByTestId('confirm-yes').click();
    await e.locator(`[data-testid="banned-member"][data-username="${finn.username}"]`).waitFor();
    await f.locator('[data-testid="removed-notice"][data-reason="banned"]').waitFor();
    assert.equal(await apiStatus(e, 'POST', `/rooms/${roomId}/members`, { user_id: await userId(f) }), 403, 'a banned user cannot be added');
    await e.locator(`[data-testid="banned-member"][data-username="${finn.username}"]`).getByTestId('unban-member').click();
    await e.locator(`[data-testid="banned-member"][data-username="${finn.username}"]`).waitFor({ state: 'detached' });
    await e.getByTestId('dialog-close').click();
  });

  step('Erin blocks Gail from the member list; Gail can no longer open a DM with her', async () => {
    const e = page('erin');
    await e.getByTestId('members-button').click();
    const row = e.locator(`[data-testid="member"][data-username="${gail.username}"]`);
    await row.getByTestId('block-user').click();
    await e.getByTestId('confirm-yes').click();
    await row.getByTestId('unblock-user').waitFor();
    assert.equal(await apiStatus(page('gail'), 'POST', '/dms', { user_id: await userId(e) }), 403, 'blocked: no DM');
    await row.getByTestId('unblock-user').click();
    await row.getByTestId('block-user').waitFor();
    assert.equal(await apiStatus(page('gail'), 'POST', '/dms', { user_id: await userId(e) }), 200, 'unblocked: DMs again');
    await e.getByTestId('dialog-close').click();
  });

  step('overloaded: a refused send says "busy, retrying" and goes out by itself with the same client_msg_id', async (t) => {
    if (!BASE_BUSY || !CONTROL) {
      t.skip('needs CHATTY_URL_BUSY (a gateway with a small CHATTY_DELIVERY_BUDGET_MS) and CHATTY_CONTROL_URL');
      return;
    }
    people.erinBusy = await openPage('erin (busy gateway)');
    const p = page('erinBusy');
    // What the page sends, frame by frame: its retries are counted here, not from the DOM (the
    // page renders once per frame, so a quick busy → sending → busy may never show "sending").
    const sendFrames = [];
    let onSendFrame = () => {};
    p.on('websocket', (ws) =>
      ws.on('framesent', (frame) => {
        if (typeof frame.payload === 'string' && frame.payload.includes('"message:send"')) {
          sendFrames.push(frame.payload);
          onSendFrame();
        }
      }),
    );
    const attempts = (id) => sendFrames.filter((f) => f.includes(id)).length;
    /** Resolves once `id` has gone out more than `n` times. */
    const sentMoreThan = (id, n) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${id} was not sent again by itself`)), 2 * TIMEOUT);
        onSendFrame = () => {
          if (attempts(id) > n) {
            clearTimeout(timer);
            resolve();
          }
        };
        onSendFrame();
      });
    await p.goto(`${BASE_BUSY}/#/login`);
    await p.getByTestId('login-username').fill(erin.username);
    await p.getByTestId('login-password').fill(erin.password);
    await p.getByTestId('login-submit').click();
    await roomItem(p, newName).click();
    await p.getByTestId('room-title').filter({ hasText: newName }).waitFor();
    // Every state a pending message of this page goes through, in order, per client_msg_id.
    await p.evaluate(() => {
      window.__states = {};
      const seen = (el) => {
        const id = el.getAttribute('data-client-msg-id');
        const state = el.getAttribute('data-state');
        if (!id || !state) return;
        const list = (window.__states[id] ??= []);
        if (list.at(-1) !== state) list.push(state);
      };
      new MutationObserver((records) => {
        for (const r of records) {
          for (const n of [r.target, ...r.addedNodes]) {
            if (n instanceof Element) for (const el of [n, ...n.querySelectorAll('[data-testid="message"]')]) if (el.matches('[data-testid="message"]')) seen(el);
          }
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    });

    await control('/worker/stop');
    const texts = [];
    let busy = null;
    try {
      // Nothing is persisted now, so the wait of the oldest queued message grows past the budget:
      // sends are accepted (Sent) until the gateway starts refusing one.
      for (let i = 0; i < 40 && !busy; i++) {
        const text = `while the worker is down ${i}`;
        texts.push(text);
        await p.getByTestId('message-input').fill(text);
        await p.getByTestId('message-input').press('Enter');
        const el = p.locator('[data-testid="message"]:not([data-seq])').filter({ hasText: text });
        await el.and(p.locator('[data-state="sent"], [data-state="busy"]')).waitFor();
        if ((await el.getAttribute('data-state')) === 'busy') busy = { text, id: await el.getAttribute('data-client-msg-id') };
      }
      assert.ok(busy, 'the busy gateway refused a send while the worker was down');
      const el = p.locator(`[data-testid="message"][data-client-msg-id="${busy.id}"]`);
      await el.getByTestId('message-status').filter({ hasText: 'Server busy, retrying…' }).waitFor();
      await shot(p, 'desktop-message-busy');
      // It retries by itself (sending again, same client_msg_id), and is refused again: busy, not failed.
      await sentMoreThan(busy.id, attempts(busy.id));
      await el.and(p.locator('[data-state="busy"]')).waitFor();
    } finally {
      await control('/worker/start');
    }
    // Once the worker is back, everything arrives, each exactly once, the busy one under its first id.
    for (const text of texts) {
      await delivered(p, text).waitFor();
      assert.equal(await delivered(p, text).count(), 1, `${text}: exactly once`);
      await delivered(page('gail'), text).waitFor();
      assert.equal(await delivered(page('gail'), text).count(), 1, `${text}: exactly once for Gail`);
    }
    assert.equal(await delivered(p, busy.text).getAttribute('data-client-msg-id'), busy.id);
    const states = await p.evaluate((id) => window.__states[id], busy.id);
    assert.ok(!states.includes('failed'), `never shown as failed: ${states.join(' → ')}`);
    assert.deepEqual(states.slice(0, 2), ['sending', 'busy'], `states: ${states.join(' → ')}`);
    assert.ok(attempts(busy.id) >= 3, 'sent once, again while busy, and once more after the worker came back');
  });

  step('the owner deletes the room after a confirmation; Gail is told in her open room', async () => {
    const e = page('erin');
    await openSettings(e);
    await e.getByTestId('delete-room-button').click();
    await e.getByTestId('confirm-dialog').waitFor();
    await e.getByTestId('confirm-yes').click();
    await roomItem(e, newName).waitFor({ state: 'detached' });
    await e.getByTestId('room-settings-dialog').waitFor({ state: 'detached' });
    const g = page('gail');
    await g.locator('[data-testid="removed-notice"][data-reason="deleted"]').waitFor();
    await roomItem(g, newName).waitFor({ state: 'detached' });
  });

  step('axe-core found no serious or critical violation on the new screens', async () => {
    assert.deepEqual(a11y, [], `axe-core found serious or critical violations:\n${a11y.join('\n')}`);
  });

  step('had no unexpected dialogs, page errors or CSP violations', async () => {
    assert.deepEqual(problems, []);
  });
});

async function userId(p) {
  return p.evaluate(async () => {
    const token = JSON.parse(localStorage.getItem('chatty.session.v1')).accessToken;
    return (await (await fetch('/api/v1/users/me', { headers: { Authorization: `Bearer ${token}` } })).json()).id;
  });
}
