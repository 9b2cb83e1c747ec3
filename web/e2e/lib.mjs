// Shared by the end-to-end files: Debian's Chromium, pages in fresh
// contexts, screenshots that also check every control has an accessible
// name, and signing up and in. The server is started by scripts/ui-test.sh
// (BUNNYBOOK_URL); screenshots go to ARTIFACTS (default ../test-artifacts).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.BUNNYBOOK_URL;
export const ARTIFACTS = process.env.ARTIFACTS ?? path.resolve(import.meta.dirname, '../../test-artifacts');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const WAIT = 15000;
if (!BASE) throw new Error('BUNNYBOOK_URL is not set: run scripts/ui-test.sh, which starts the server');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

/** Browser is one Chromium with named contexts (one per user and device). */
export class Browser {
  contexts = {};

  async launch() {
    mkdirSync(ARTIFACTS, { recursive: true });
    // launch() gives every run a fresh, temporary user-data dir of its own.
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  }

  async close() {
    await this.browser?.close();
  }

  /** newPage opens a page in a new context named name (a phone when viewport is PHONE). */
  async newPage(name, viewport = DESKTOP) {
    const ctx = await this.browser.newContext({ viewport, baseURL: BASE, isMobile: viewport === PHONE, hasTouch: viewport === PHONE });
    this.contexts[name] = ctx;
    const page = await ctx.newPage();
    page.setDefaultTimeout(WAIT);
    page.on('pageerror', (e) => console.error(`[${name}] page error:`, e.message));
    return page;
  }
}

/** shot saves a screenshot and checks that every control on the page has a name. */
export async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });
  const unnamed = await page.evaluate(() => {
    const named = (el) => {
      if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.getAttribute('title')) return true;
      if (el.matches('input, select, textarea')) return !!(el.id && document.querySelector(`label[for="${el.id}"]`));
      return !!(el.textContent.trim() || el.querySelector('img[alt]:not([alt=""])'));
    };
    return [...document.querySelectorAll('a[href], button, input, select, textarea, [role=option]')]
      .filter((el) => !el.closest('[aria-hidden="true"]') && !named(el))
      .map((el) => el.outerHTML.slice(0, 120));
  });
  assert.deepEqual(unnamed, [], `${name}: controls without an accessible name`);
}

/** register signs a user up through the form. */
export async function register(page, u) {
  await page.goto('/register');
  await page.getByLabel('Email').fill(u.email);
  await page.getByLabel('Username').fill(u.username);
  await page.getByLabel('Password', { exact: true }).fill(u.password);
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByText('Your account is ready').waitFor();
}

/** login signs a user in through the form and waits for their wall. */
export async function login(page, u) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(u.email);
  await page.getByLabel('Password', { exact: true }).fill(u.password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.getByRole('heading', { name: u.username }).waitFor();
}

/**
 * signUpQuietly registers and signs a user in with the REST API from the
 * page (faster than the forms, for tests about something else), then opens
 * their wall. It returns the profile id.
 */
export async function signUpQuietly(page, u) {
  await page.goto('/login');
  await page.getByRole('button', { name: 'Login' }).waitFor(); // the app's own session check is over
  const id = await page.evaluate(async (u) => {
    const post = (url, body) => fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    const reg = await post('/web/register', u);
    if (!reg.ok) throw new Error(`register: ${reg.status}`);
    const login = await post('/web/login', { email: u.email, password: u.password });
    if (!login.ok) throw new Error(`login: ${login.status}`);
    return (await (await fetch('/web/me')).json()).id;
  }, u);
  await page.goto('/profile');
  await page.getByRole('heading', { name: u.username }).waitFor();
  return id;
}

/** rest calls the REST API from the page with its session (CSRF header included) and returns the status. */
export function rest(page, method, url, body) {
  return page.evaluate(async ({ method, url, body }) => {
    const res = await fetch(url, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': document.cookie.match(/csrf_token=([^;]+)/)?.[1] ?? '' },
    });
    return res.status;
  }, { method, url, body });
}

/** befriend makes two bunnies friends through the REST API, whatever their relationship was. */
export async function befriend(pa, aId, pb, bId) {
  const rel = await pa.evaluate(async ({ aId, bId }) => (await fetch(`/web/profiles/${aId}/relationships/${bId}`)).json(), { aId, bId });
  if (rel === 'FRIEND') return;
  if (rel === 'INCOMING_FRIEND_REQUEST') {
    assert.equal(await rest(pa, 'POST', `/web/profiles/${aId}/friends/${bId}`), 201);
    return;
  }
  if (rel === 'NONE') assert.equal(await rest(pa, 'POST', `/web/profiles/${aId}/outgoing_friend_requests/${bId}`), 201);
  assert.equal(await rest(pb, 'POST', `/web/profiles/${bId}/friends/${aId}`), 201);
}
