// What every browser suite of frontend/e2e/ shares: where chatty runs, the browser, pages that
// record what must never happen, screenshots, steps that stop after a failure, axe-core checks.
// Not a test file itself (node --test picks `*.test.mjs`); each `*.e2e.test.mjs` imports it.
//
// Environment:
//   CHATTY_URL       base URL of a running gateway serving the built SPA (required; skipped without)
//   CHATTY_URL_B     the second person's gateway (default CHATTY_URL): two gateways of one cluster
//   CHATTY_URL_BUSY  a gateway with a tiny delivery budget (the moderation suite's overload step)
//   CHATTY_CONTROL_URL  a control endpoint that stops and starts the system (tests/support/browser.py)
//   SCREENSHOT_DIR   if set, screenshots go there
//   CHROMIUM_PATH    the browser binary (default /usr/bin/chromium)
//   E2E_HEADED=1     show the browser (needs a display)
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const url = (name) => (process.env[name] ?? '').replace(/\/+$/, '');

export const BASE = url('CHATTY_URL');
export const BASE_B = url('CHATTY_URL_B') || BASE;
export const BASE_BUSY = url('CHATTY_URL_BUSY');
export const CONTROL = url('CHATTY_CONTROL_URL');
export const SHOTS = process.env.SCREENSHOT_DIR ?? '';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
// Bounds a stuck step, never what a healthy one waits (every wait returns once its condition
// holds): 15 s was missed by one step while two whole suites shared the 2 cores (stop 41).
export const TIMEOUT = 30_000;
/** The `describe` option of every suite: without a server there is nothing to test. */
export const SKIP = BASE ? false : 'set CHATTY_URL to the base URL of a running chatty';
/** axe-core goes in through the DevTools protocol, which the page's CSP does not govern. */
export const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** A run's own names: usernames and public room names are unique on the server. */
export const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
/** The context options of the suites that check accessibility (and light screenshots). */
export const STILL_LIGHT = { colorScheme: 'light', reducedMotion: 'reduce' };

/** The system's Chromium through playwright-core: no browser download. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: process.env.E2E_HEADED !== '1',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.mouse.move(0, 0); // no hover effects left over from the last click
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/**
 * A desktop-sized page in a context of its own. Everything that must never happen — a JS dialog
 * (XSS), a page error, a CSP violation — goes into `problems`. `context`: more context options;
 * `axe`: load axe-core; `init`: more init scripts (after axe-core); `dialog(d)`: a suite's own
 * dialog handling, returning true when it dealt with `d`.
 */
export async function newPage(browser, who, problems, { context = {}, axe = true, init = [], dialog } = {}) {
  const ctx = await browser.newContext({ viewport: DESKTOP, ...context });
  if (axe) await ctx.addInitScript({ path: AXE });
  for (const script of init) await ctx.addInitScript(script);
  const page = await ctx.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('dialog', async (d) => {
    if (dialog && (await dialog(d))) return;
    problems.push(`${who}: unexpected ${d.type()} dialog: ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => problems.push(`${who}: page error: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (/Content[- ]Security[- ]Policy|Refused to (execute|apply|load|connect)/i.test(text)) {
      problems.push(`${who}: CSP violation: ${text}`);
    }
  });
  return { ctx, page };
}

/**
 * The `step` of a suite: its steps build on each other, so after one fails the rest are skipped
 * instead of timing out (an `independent` step's failure does not stop the others). A failure
 * leaves a screenshot of every page `pages()` names: `failure-<prefix><step>-<who>.png`.
 */
export function steps(prefix, pages) {
  let failed = false;
  return function step(name, fn, { independent = false } = {}) {
    it(name, async (t) => {
      if (failed) {
        t.skip('an earlier step failed');
        return;
      }
      try {
        await fn(t);
      } catch (err) {
        if (!independent) failed = true;
        const slug = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
        for (const [who, page] of Object.entries(pages())) {
          if (page) await shot(page, `failure-${prefix}${slug}-${who}`).catch(() => {});
        }
        throw err;
      }
    });
  };
}

/** The message items of the open conversation that the server has confirmed. */
export function delivered(page, text) {
  return page.locator('[data-testid="message"][data-seq]').filter({ hasText: text });
}

/** Send from the composer and wait for the server's confirmation. */
export async function send(page, text, { viaButton = false } = {}) {
  const input = page.getByTestId('message-input');
  await input.fill(text);
  if (viaButton) await page.getByTestId('send-button').click();
  else await input.press('Enter');
  await delivered(page, text).first().waitFor();
}

export function roomItem(page, name) {
  return page.locator(`[data-testid="room-item"][data-room-name="${name}"]`);
}

export const focusedTestId = (page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

/** Register on `base` and dismiss the recovery phrase: the room list is shown. */
export async function register(page, base, user) {
  await page.goto(`${base}/#/register`);
  await page.getByTestId('register-username').fill(user.username);
  await page.getByTestId('register-display-name').fill(user.display);
  await page.getByTestId('register-password').fill(user.password);
  await page.getByTestId('register-submit').click();
  await page.getByTestId('saved-it').click();
  await page.getByTestId('create-room-button').waitFor();
}

/** Serious and critical axe-core violations of the page as it is now. */
export async function axeViolations(page) {
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(' | ')}`);
  });
}

/**
 * A screen's violations at desktop and phone width, light and dark; `ready(size)` waits for the
 * screen after a resize; `shotName`: a light screenshot at each width (`<size>-<shotName>.png`).
 */
export async function accessible(page, screen, ready = async () => {}, { shotName = null } = {}) {
  const found = [];
  const viewport = page.viewportSize();
  for (const [size, vp] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(vp);
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await ready(size);
      for (const v of await axeViolations(page)) found.push(`${screen} @ ${size}/${scheme}: ${v}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    if (shotName) await shot(page, `${size}-${shotName}`);
  }
  await page.setViewportSize(viewport);
  return found;
}

/** Ask tests/support/browser.py to stop or start the system: `stop`, `start`, `worker/stop`, … */
export async function control(action) {
  const res = await fetch(`${CONTROL}/${action.replace(/^\/+/, '')}`, { method: 'POST' });
  const body = await res.json().catch(() => ({}));
  assert.ok(res.ok && body.ok, `control ${action}: ${res.status} ${JSON.stringify(body)}`);
}
