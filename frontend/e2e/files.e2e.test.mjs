// Files and images (issue 16, PROTOCOL §6 "Files and images"): attach, drop and paste files with a
// progress bar and Cancel, send them (with or without text), see thumbnails and file cards in the
// other person's browser on the other gateway, the lightbox, downloads, the per-file errors
// (too large, quota, rate limit, not a member, network), avatars, and axe-core — two people, Hana
// (gateway A) and Ivan (gateway B).
//
// Same environment as chat.e2e.test.mjs (CHATTY_URL, CHATTY_URL_B, SCREENSHOT_DIR, CHROMIUM_PATH,
// E2E_HEADED). Every wait is for a condition, never for a fixed time. The images are real PNGs
// made here (zlib + CRC-32), so the server's image pipeline (sniffing, thumbnail) runs on them.
import { readFileSync } from 'node:fs';
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import {
  BASE, BASE_B, STILL_LIGHT, SKIP, accessible as violations, delivered, focusedTestId, launch, newPage,
  register as registerAt, roomItem as roomNamed, shot, steps, suffix,
} from './harness.mjs';

const MiB = 1024 * 1024;

const hana = { username: `hana_${suffix}`, display: 'Hana Sender', password: 'hana shares pictures' };
const ivan = { username: `ivan_${suffix}`, display: 'Ivan Viewer', password: 'ivan looks at them' };
const roomName = `Photos ${suffix}`;

// --- a real PNG, built by hand ----------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** A width×height RGB PNG: a diagonal gradient over `base` (so every image differs). */
function png(width, height, base) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const i = row + 1 + x * 3;
      raw[i] = (base[0] + x) & 0xff;
      raw[i + 1] = (base[1] + y) & 0xff;
      raw[i + 2] = (base[2] + x + y) & 0xff;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
/** Width and height from a PNG's IHDR. */
function pngSize(buf) {
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

const red = { name: 'red sunset.png', mimeType: 'image/png', buffer: png(640, 480, [200, 20, 20]) };
const blue = { name: 'blue-lake.png', mimeType: 'image/png', buffer: png(300, 600, [10, 40, 200]) };
const notesText = `Meeting notes ${suffix}\n${'- a line of notes\n'.repeat(80)}`;
const notes = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(notesText) };

// --- browser plumbing (./harness.mjs) ------------------------------------------------------------

const problems = [];
const a11y = [];
let browser;
const people = {};

const openPage = (who) => newPage(browser, who, problems, { context: { ...STILL_LIGHT, acceptDownloads: true } });
/** axe-core at desktop and phone width, light and dark; `ready` waits for the screen after a resize. */
const accessible = async (p, screen, ready) => a11y.push(...(await violations(p, screen, ready)));
const register = (who, user, base) => registerAt(page(who), base, user);
const page = (who) => people[who].page;
const chip = (p, name) => p.locator(`[data-testid="pending-upload"][data-name="${name}"]`);
const uploadError = (p, name) => p.locator(`[data-testid="upload-error"][data-name="${name}"]`);
const attachInput = (p) => p.getByTestId('attach-input');
/** A message's thumbnail by the file name (its alt text); the server decides their order. */
const thumb = (msg, f) => msg.locator(`[data-testid="attachment-image"]:has(img[alt="${f.name}"])`);
const roomItem = (p) => roomNamed(p, roomName);

/** Until `release()` is called, uploads of this page wait in the browser (to see them in flight). */
async function holdUploads(p) {
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  const handler = async (route) => {
    await gate;
    await route.continue().catch(() => {}); // a cancelled upload's request is gone: nothing to continue
  };
  await p.route('**/api/v1/rooms/*/attachments', handler);
  return async () => {
    release();
    await p.unroute('**/api/v1/rooms/*/attachments', handler);
  };
}

/** Answer the next uploads of this page with this refusal instead of the server. */
async function refuseUploads(p, answer) {
  const handler = (route) =>
    answer === 'network'
      ? route.abort('connectionfailed')
      : route.fulfill({
          status: answer.status,
          contentType: 'application/json',
          headers: answer.retryAfter ? { 'Retry-After': String(answer.retryAfter) } : {},
          body: JSON.stringify({ error: { code: answer.code, message: answer.code, details: answer.details ?? {} } }),
        });
  await p.route('**/api/v1/rooms/*/attachments', handler);
  return () => p.unroute('**/api/v1/rooms/*/attachments', handler);
}

/** Drop a file of `size` zero bytes, made in the page, onto the conversation. */
async function dropMade(p, name, size) {
  const dt = await p.evaluateHandle(([n, bytes]) => {
    const d = new DataTransfer();
    d.items.add(new File([new ArrayBuffer(bytes)], n, { type: 'application/octet-stream' }));
    return d;
  }, [name, size]);
  await p.dispatchEvent('.conv', 'drop', { dataTransfer: dt });
  await dt.dispose();
}

/** An <img> that the browser has fully loaded and decoded. */
async function loaded(img) {
  await img.waitFor();
  await img.evaluate((el) => (el.complete && el.naturalWidth > 0 ? null : new Promise((resolve, reject) => {
    el.addEventListener('load', resolve, { once: true });
    el.addEventListener('error', () => reject(new Error(`image failed: ${el.src}`)), { once: true });
  })));
  return img.evaluate((el) => ({ naturalWidth: el.naturalWidth, naturalHeight: el.naturalHeight, width: el.getAttribute('width'), height: el.getAttribute('height'), alt: el.alt }));
}

async function downloaded(p, click) {
  const [download] = await Promise.all([p.waitForEvent('download'), click()]);
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
}
const step = steps('files-', () => Object.fromEntries(Object.keys(people).map((who) => [who, page(who)])));

describe('chatty SPA files and images', { skip: SKIP }, () => {
  before(async () => {
    browser = await launch();
    people.hana = await openPage('hana');
    people.ivan = await openPage('ivan');
  });

  after(async () => {
    for (const who of Object.keys(people)) await people[who].ctx.close().catch(() => {});
    await browser?.close();
  });

  step('Hana (gateway A) makes a room with Ivan (gateway B)', async () => {
    await register('hana', hana, BASE);
    await register('ivan', ivan, BASE_B);
    const h = page('hana');
    await h.getByTestId('create-room-button').click();
    await h.getByTestId('room-name-input').fill(roomName);
    await h.getByTestId('room-kind-private').check();
    await h.getByTestId('create-room-submit').click();
    await h.getByTestId('room-title').filter({ hasText: roomName }).waitFor();
    await h.getByTestId('add-member-button').click();
    await h.getByTestId('member-add-input').fill(ivan.username);
    await h.locator(`[data-testid="member-add-result"][data-username="${ivan.username}"]`).click();
    await h.locator(`[data-testid="member-add-result"][data-username="${ivan.username}"][data-added="true"]`).waitFor();
    await h.getByTestId('dialog-close').click();
    const i = page('ivan');
    await roomItem(i).click();
    await i.getByTestId('room-title').filter({ hasText: roomName }).waitFor();
  });

  step('two images upload at once with a progress bar each, then go with the text; Send waits for them', async () => {
    const h = page('hana');
    const release = await holdUploads(h);
    await attachInput(h).setInputFiles([red, blue]);
    for (const f of [red, blue]) {
      await chip(h, f.name).and(h.locator('[data-state="uploading"]')).waitFor();
      await chip(h, f.name).getByTestId('upload-progress').waitFor();
      await chip(h, f.name).getByTestId('upload-cancel').waitFor();
    }
    assert.equal(await h.getByTestId('send-button').getAttribute('aria-disabled'), 'true', 'no send while files are uploading');
    a11y.length = 0;
    await accessible(h, 'composer with uploads in flight');
    await release();
    for (const f of [red, blue]) await chip(h, f.name).and(h.locator('[data-state="done"]')).waitFor();
    // The chip shows the server's thumbnail once the upload is done.
    await loaded(chip(h, red.name).locator('img'));
    assert.equal(await h.getByTestId('send-button').getAttribute('aria-disabled'), 'false');
    await h.getByTestId('message-input').fill('two pictures');
    await h.getByTestId('message-input').press('Enter');
    await h.getByTestId('pending-uploads').waitFor({ state: 'hidden' });
    const mine = delivered(h, 'two pictures');
    await mine.getByTestId('attachment-image').nth(1).waitFor();
  });

  step('Ivan, on the other gateway, sees both thumbnails with their space reserved and the file names as alt text', async () => {
    const i = page('ivan');
    const msg = delivered(i, 'two pictures');
    await msg.getByTestId('attachment-image').nth(1).waitFor();
    const first = await loaded(thumb(msg, red).locator('img'));
    assert.deepEqual([first.width, first.height], ['320', '240'], 'width/height attributes from the Attachment (thumbnail box)');
    assert.equal(first.naturalWidth, 320, 'the thumbnail is 320 wide');
    const second = await loaded(thumb(msg, blue).locator('img'));
    assert.deepEqual([second.width, second.height], ['160', '320']);
    await shot(i, 'desktop-files-conversation');
  });

  step('the lightbox: full image, arrows between the images, download, Escape closes and focus returns', async () => {
    const i = page('ivan');
    await thumb(delivered(i, 'two pictures'), red).click();
    const box = i.getByTestId('lightbox');
    await box.waitFor();
    assert.equal(await box.evaluate((d) => d.open && d.matches(':modal')), true, 'a modal dialog');
    assert.equal(await box.getAttribute('aria-labelledby') !== null, true);
    await i.getByTestId('lightbox-title').filter({ hasText: red.name }).waitFor();
    const full = await loaded(i.getByTestId('lightbox-image'));
    assert.deepEqual([full.naturalWidth, full.naturalHeight, full.alt], [640, 480, red.name], 'the full image, not the thumbnail');
    assert.ok(await box.evaluate((d) => d.contains(document.activeElement)), 'focus is inside the lightbox');
    await i.getByTestId('lightbox-count').filter({ hasText: /^[12] of 2/ }).waitFor();
    await shot(i, 'desktop-files-lightbox');
    a11y.length = 0;
    await accessible(i, 'lightbox', () => i.getByTestId('lightbox-image').waitFor());
    assert.deepEqual(a11y, [], `axe-core found serious or critical violations:\n${a11y.join('\n')}`);

    await i.keyboard.press('ArrowRight');
    await i.getByTestId('lightbox-title').filter({ hasText: blue.name }).waitFor();
    await i.getByTestId('lightbox-count').filter({ hasText: / of 2/ }).waitFor();
    const second = await loaded(i.getByTestId('lightbox-image'));
    assert.deepEqual([second.naturalWidth, second.naturalHeight], [300, 600]);
    // Focus stays in the dialog: Tab cycles through its controls only.
    for (let n = 0; n < 6; n++) {
      await i.keyboard.press('Tab');
      assert.ok(await box.evaluate((d) => d.contains(document.activeElement) || document.activeElement === document.body), 'Tab stays in the lightbox');
    }
    const { name, bytes } = await downloaded(i, () => i.getByTestId('lightbox-download').click());
    assert.equal(name, blue.name);
    assert.deepEqual(pngSize(bytes), { width: 300, height: 600 }, 'the downloaded image is the full PNG');
    await i.keyboard.press('ArrowLeft');
    await i.getByTestId('lightbox-title').filter({ hasText: red.name }).waitFor();

    await i.keyboard.press('Escape');
    await box.waitFor({ state: 'detached' });
    assert.equal(await focusedTestId(i), 'attachment-image', 'focus is back on the thumbnail');
  });

  step('a file without text: a card with its icon, name and size, downloaded byte for byte', async () => {
    const h = page('hana');
    await attachInput(h).setInputFiles([notes]);
    await chip(h, notes.name).and(h.locator('[data-state="done"]')).waitFor();
    await h.getByTestId('message-input').fill('');
    await h.getByTestId('send-button').click();
    const card = (p) => p.locator('[data-testid="message"][data-seq] [data-testid="attachment-file"]').filter({ hasText: notes.name });
    await card(h).waitFor();
    const i = page('ivan');
    await card(i).waitFor();
    assert.equal(await card(i).getAttribute('download'), notes.name);
    assert.match(await card(i).innerText(), /Text · 1\.\d KB/);
    assert.equal(await card(i).locator('svg.att__icon--text').count(), 1);
    const { name, bytes } = await downloaded(i, () => card(i).click());
    assert.equal(name, notes.name);
    assert.equal(bytes.toString(), notesText, 'the same bytes');
  });

  step('drag and drop shows a drop zone and attaches; a pasted image is attached too', async () => {
    const h = page('hana');
    const dt = await h.evaluateHandle(() => {
      const d = new DataTransfer();
      d.items.add(new File(['dropped contents'], 'dropped.txt', { type: 'text/plain' }));
      return d;
    });
    await h.dispatchEvent('.conv', 'dragenter', { dataTransfer: dt });
    await h.getByTestId('drop-zone').waitFor();
    await h.dispatchEvent('.conv', 'drop', { dataTransfer: dt });
    await h.getByTestId('drop-zone').waitFor({ state: 'hidden' });
    await chip(h, 'dropped.txt').and(h.locator('[data-state="done"]')).waitFor();

    const bytes = [...png(40, 30, [0, 150, 0])];
    await h.getByTestId('message-input').evaluate((el, data) => {
      const d = new DataTransfer();
      d.items.add(new File([new Uint8Array(data)], 'image.png', { type: 'image/png' }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: d, bubbles: true, cancelable: true }));
    }, bytes);
    const pasted = h.locator('[data-testid="pending-upload"][data-name^="Pasted image"][data-state="done"]');
    await pasted.waitFor();
    await h.getByTestId('message-input').fill('dropped and pasted');
    await h.getByTestId('message-input').press('Enter');
    const msg = delivered(page('ivan'), 'dropped and pasted');
    await msg.getByTestId('attachment-file').filter({ hasText: 'dropped.txt' }).waitFor();
    assert.match((await loaded(msg.getByTestId('attachment-image').locator('img'))).alt, /^Pasted image .*\.png$/);
  });

  step('Cancel stops an upload in flight: it leaves the list and nothing is sent', async () => {
    const h = page('hana');
    const release = await holdUploads(h);
    await attachInput(h).setInputFiles([{ ...red, name: 'never.png' }]);
    await chip(h, 'never.png').and(h.locator('[data-state="uploading"]')).waitFor();
    await chip(h, 'never.png').getByTestId('upload-cancel').click();
    await chip(h, 'never.png').waitFor({ state: 'detached' });
    assert.equal(await h.getByTestId('upload-error').count(), 0, 'a cancel is not an error');
    assert.equal(await h.getByTestId('send-button').getAttribute('aria-disabled'), 'true', 'nothing left to send');
    await release();
  });

  step('clear errors per file: too large (checked before sending), quota, rate limit, not a member, network', async () => {
    const h = page('hana');
    let requests = 0;
    const count = (req) => {
      if (req.url().includes('/attachments') && req.method() === 'POST') requests += 1;
    };
    h.on('request', count);
    // Over the default 25 MiB: refused in the browser, no request. (The big file is made in the
    // page and dropped: no 25 MiB to carry over the DevTools protocol.)
    await dropMade(h, 'huge.bin', 25 * MiB + 1);
    await uploadError(h, 'huge.bin').filter({ hasText: 'Too large (25 MB): files are limited to 25 MB.' }).waitFor();
    assert.equal(await chip(h, 'huge.bin').count(), 0);
    assert.equal(requests, 0, 'a file over the limit is never sent');

    // The server's 413 tells its own limit; the next file over it is refused without a request.
    const cases = [
      [{ status: 413, code: 'payload_too_large', details: { max_bytes: 1 * MiB } }, 'a.png', 'Too large: files are limited to 1 MB.'],
      [{ status: 413, code: 'quota_exceeded', details: { quota_left_bytes: 0 } }, 'b.png', 'Your storage quota is used up.'],
      [{ status: 429, code: 'rate_limited', retryAfter: 42 }, 'c.png', 'Too many uploads. Try again in 42 s.'],
      [{ status: 403, code: 'forbidden' }, 'd.png', 'You are not a member of this room any more.'],
      ['network', 'e.png', 'cannot reach the server'],
    ];
    for (const [answer, name, text] of cases) {
      const unroute = await refuseUploads(h, answer);
      await attachInput(h).setInputFiles([{ ...blue, name }]);
      await uploadError(h, name).filter({ hasText: text }).waitFor();
      assert.equal(await chip(h, name).count(), 0, `${name}: a failed upload leaves the pending list`);
      await unroute();
    }
    const before = requests;
    await dropMade(h, 'two-mb.bin', 2 * MiB);
    await uploadError(h, 'two-mb.bin').filter({ hasText: 'files are limited to 1 MB' }).waitFor();
    assert.equal(requests, before, 'the limit the server told is checked before sending');
    h.off('request', count);

    a11y.length = 0;
    await accessible(h, 'composer with upload errors');
    assert.deepEqual(a11y, [], `axe-core found serious or critical violations:\n${a11y.join('\n')}`);
    await shot(h, 'desktop-files-errors');
    // Dismiss with the keyboard.
    await h.getByTestId('upload-error-dismiss').first().focus();
    const n = await h.getByTestId('upload-error').count();
    await h.keyboard.press('Enter');
    await h.waitForFunction((k) => document.querySelectorAll('[data-testid="upload-error"]').length === k, n - 1);
  });

  step('a file goes out while offline and after reconnecting, its ids kept', async () => {
    const h = page('hana');
    await attachInput(h).setInputFiles([{ ...red, name: 'offline.png' }]);
    await chip(h, 'offline.png').and(h.locator('[data-state="done"]')).waitFor();
    await people.hana.ctx.setOffline(true);
    await h.getByTestId('reconnecting-banner').waitFor();
    await h.getByTestId('message-input').fill('sent while offline');
    await h.getByTestId('message-input').press('Enter');
    const queued = h.locator('[data-testid="message"][data-state="queued"]').filter({ hasText: 'sent while offline' });
    await queued.getByTestId('attachment-image').waitFor();
    await people.hana.ctx.setOffline(false);
    const msg = delivered(page('ivan'), 'sent while offline');
    assert.equal((await loaded(msg.getByTestId('attachment-image').locator('img'))).alt, 'offline.png');
  });

  step('the conversation with files passes axe-core; the files are reached with the keyboard', async () => {
    const i = page('ivan');
    a11y.length = 0;
    await accessible(i, 'conversation with files', () => delivered(i, 'two pictures').getByTestId('attachment-image').first().waitFor());
    assert.deepEqual(a11y, [], `axe-core found serious or critical violations:\n${a11y.join('\n')}`);
    // Keyboard: the message, then its files; Enter on a thumbnail opens the lightbox.
    const msg = delivered(i, 'two pictures');
    await msg.focus();
    await i.keyboard.press('Tab');
    assert.equal(await focusedTestId(i), 'attachment-image');
    await i.keyboard.press('Enter');
    await i.getByTestId('lightbox').waitFor();
    await i.keyboard.press('Escape');
    await i.getByTestId('lightbox').waitFor({ state: 'detached' });
  });

  step('an avatar uploaded in account settings replaces the initials, also in the other browser', async () => {
    const h = page('hana');
    await h.goto(`${BASE}/#/settings`);
    await h.getByTestId('avatar-form').waitFor();
    await h.getByTestId('avatar-input').setInputFiles([{ ...blue, name: 'me.png' }]);
    await h.getByTestId('avatar-submit').click();
    await h.getByTestId('avatar-done').waitFor();
    const shown = await loaded(h.getByTestId('avatar-preview').locator('img'));
    assert.ok(shown.naturalWidth > 0 && shown.naturalWidth <= 320);
    a11y.length = 0;
    await accessible(h, 'settings with a picture');
    assert.deepEqual(a11y, [], `axe-core found serious or critical violations:\n${a11y.join('\n')}`);
    // Not a picture: a clear error.
    await h.getByTestId('avatar-input').setInputFiles([notes]);
    await h.getByTestId('avatar-submit').click();
    await h.getByTestId('avatar-error').filter({ hasText: 'not a picture' }).waitFor();

    // Ivan sees it beside Hana's messages (user:updated), without reloading.
    const i = page('ivan');
    const avatar = delivered(i, 'two pictures').locator('[data-testid="avatar-img"] img');
    await loaded(avatar);
    await h.goto(`${BASE}/#/rooms`);
    await loaded(h.locator('.me [data-testid="avatar-img"] img'));
  });

  step('had no unexpected dialogs, page errors or CSP violations', async () => {
    assert.deepEqual(problems, []);
  });
});
