// End-to-end: what a walk through the UI with two browsers (a desktop and a
// 360×740 phone) turned up (issue 11): a profile page that did not follow
// friendship frames, a "Comments: 1" button over a shown comment, phone
// details (search placeholder, tap highlights, the chat bars over the end of
// the page) and layout (logged-out pages off-centre, a narrow password field,
// stray colons, the privacy icon without a label, small comment avatars, the
// chat box over the chat column and its cut focus rings). Each test takes a
// desktop or phone screenshot, named walk-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { befriend, Browser, DESKTOP, PHONE, shot, signUpQuietly } from './lib.mjs';

const run = Date.now().toString(36);
const user = (name) => ({ username: `${name}${run}`, email: `${name}${run}@bunny.test`, password: `${name}-likes-clover` });
const dee = user('dee'), eve = user('eve'), fay = user('fay'), gus = user('gus');

const browser = new Browser();
before(() => browser.launch());
after(() => browser.close());

let d, e, f, g; // dee on a desktop, eve on a phone, fay and gus on desktops
let deeId, eveId, fayId, gusId;

/** go navigates inside the app (no reload: the chat dock keeps its boxes). */
const go = (page, to) => page.evaluate((to) => {
  window.history.pushState({}, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}, to);

/** focusByKeyboard gives el the focus as a keyboard user would (so :focus-visible applies). */
async function focusByKeyboard(page, locator) {
  await locator.focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  assert.ok(await locator.evaluate((el) => el === document.activeElement), 'focus came back to the element');
}

/** ringCut says what cuts the focused element's focus ring (the viewport or a scrolling ancestor), or '' if nothing does. */
const ringCut = (page) => page.evaluate(() => {
  const el = document.activeElement;
  const cs = getComputedStyle(el);
  if (cs.outlineStyle === 'none' || parseFloat(cs.outlineWidth) === 0) return 'no focus ring';
  const out = parseFloat(cs.outlineOffset) + parseFloat(cs.outlineWidth);
  const r = el.getBoundingClientRect();
  const ring = { top: r.top - out, left: r.left - out, bottom: r.bottom + out, right: r.right + out };
  const clips = [{ top: 0, left: 0, bottom: window.innerHeight, right: document.documentElement.clientWidth, name: 'the viewport' }];
  for (let p = el.parentElement; p; p = p.parentElement) {
    const s = getComputedStyle(p);
    if (s.overflowX !== 'visible' || s.overflowY !== 'visible') clips.push({ ...p.getBoundingClientRect().toJSON(), name: p.className });
  }
  const cut = clips.filter((c) => ring.top < c.top - 0.5 || ring.left < c.left - 0.5 || ring.bottom > c.bottom + 0.5 || ring.right > c.right + 0.5);
  return cut.map((c) => `${el.outerHTML.slice(0, 60)} cut by ${c.name} (ring ${JSON.stringify(ring)})`).join('; ');
});

/** pageEnd scrolls to the end of the page and says where its content ends and where the dock begins. */
async function pageEnd(page) {
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.waitForTimeout(300);
  return page.evaluate(() => {
    const main = document.getElementById('main');
    const shown = [...main.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().height > 0);
    return {
      end: Math.max(main.lastElementChild.getBoundingClientRect().bottom, ...shown.map((el) => el.getBoundingClientRect().bottom)),
      dockTop: document.querySelector('.dock').getBoundingClientRect().top,
      bars: document.querySelectorAll('.chat-box.collapsed').length,
    };
  });
}

test('four bunnies sign up: dee on a desktop, eve on a phone, fay and gus', async () => {
  d = await browser.newPage('dee', DESKTOP);
  e = await browser.newPage('eve', PHONE);
  f = await browser.newPage('fay', DESKTOP);
  g = await browser.newPage('gus', DESKTOP);
  [deeId, eveId, fayId, gusId] = await Promise.all([signUpQuietly(d, dee), signUpQuietly(e, eve), signUpQuietly(f, fay), signUpQuietly(g, gus)]);
});

test('a profile page follows friendship changes live (no stale "Cancel friend request")', async () => {
  await go(d, `/profile/${eveId}`);
  await go(e, `/profile/${deeId}`);
  await d.getByRole('button', { name: 'Add friend' }).click();
  await d.getByRole('button', { name: 'Cancel friend request' }).waitFor();
  // Eve, looking at dee's profile, is offered to accept without reloading.
  await e.getByRole('button', { name: 'Accept friend request' }).waitFor();
  await shot(e, 'walk-phone-profile-request-live');
  await e.getByRole('button', { name: 'Accept friend request' }).click();
  await e.getByRole('button', { name: 'Remove friend' }).waitFor();
  // Dee's page follows friend.added: no more "Cancel friend request".
  await d.getByRole('button', { name: 'Remove friend' }).waitFor();
  await d.getByRole('button', { name: 'Message' }).waitFor();
  assert.equal(await d.getByRole('button', { name: 'Cancel friend request' }).count(), 0);
  await d.getByLabel(`Write something on ${eve.username}'s wall...`).waitFor(); // friends may post on the wall
  await shot(d, 'walk-desktop-profile-friend-live');
  // And friend.removed.
  await e.getByRole('button', { name: 'Remove friend' }).click();
  await d.getByRole('button', { name: 'Add friend' }).waitFor();
  assert.equal(await d.getByLabel(`Write something on ${eve.username}'s wall...`).count(), 0);
});

test('dee, fay and gus are eve’s friends (for what follows)', async () => {
  await befriend(d, deeId, e, eveId);
  await befriend(f, fayId, e, eveId);
  await befriend(g, gusId, e, eveId);
  await d.getByRole('button', { name: new RegExp(`Chat with ${eve.username}`) }).waitFor();
});

test('a comment just added is shown without a "Comments: 1" button above it', async () => {
  await go(d, '/profile');
  await d.getByLabel('What are you thinking about?').fill('Dandelions in the meadow');
  await d.getByRole('button', { name: 'Publish' }).click();
  const post = d.getByRole('article').filter({ hasText: 'Dandelions in the meadow' });
  await post.getByLabel('Add a comment').fill('Save me some!');
  await post.getByLabel('Add a comment').press('Enter');
  await post.getByText('Save me some!').waitFor();
  assert.equal(await post.getByRole('button', { name: /^Comments/ }).count(), 0, 'no comments button over the shown comment');
  await shot(d, 'walk-desktop-comment');

  // Someone else sees the count until they open the comments; then the button goes.
  await e.goto(`/profile/${deeId}`);
  const theirs = e.getByRole('article').filter({ hasText: 'Dandelions in the meadow' });
  await theirs.getByRole('button', { name: 'Comments: 1' }).click();
  await theirs.getByText('Save me some!').waitFor();
  assert.equal(await theirs.getByRole('button', { name: /^Comments/ }).count(), 0);
  await theirs.getByLabel('Add a comment').fill('Me too');
  await theirs.getByLabel('Add a comment').press('Enter');
  await theirs.getByText('Me too').waitFor();
  assert.equal(await theirs.getByRole('button', { name: /^Comments|Load more comments/ }).count(), 0);
  await theirs.scrollIntoViewIfNeeded();
  await shot(e, 'walk-phone-comment');
});

test('a post says who can see it in words, and comment avatars are about 30 px', async () => {
  await go(d, '/profile');
  await d.getByLabel('What are you thinking about?').fill('Only for my friends');
  await d.getByLabel('Who can see it').selectOption('FRIENDS');
  await d.getByRole('button', { name: 'Publish' }).click();
  for (const [text, label] of [['Only for my friends', 'Friends only'], ['Dandelions in the meadow', 'Public']]) {
    const post = d.getByRole('article').filter({ hasText: text });
    const box = await post.locator('.post-head').getByText(label, { exact: true }).boundingBox();
    assert.ok(box && box.width > 20 && box.height > 8, `"${label}" is written out, not only a tooltip: ${JSON.stringify(box)}`);
  }
  const dandelions = d.getByRole('article').filter({ hasText: 'Dandelions in the meadow' });
  await dandelions.getByRole('button', { name: 'Comments: 2' }).click();
  const avatar = await dandelions.locator('.comment img').first().boundingBox();
  assert.ok(avatar && avatar.width >= 28 && avatar.width <= 32, `comment avatar ${JSON.stringify(avatar)}`);
  await shot(d, 'walk-desktop-post-privacy');
  await e.goto(`/profile/${deeId}`);
  await e.getByRole('article').filter({ hasText: 'Only for my friends' }).locator('.post-head').getByText('Friends only', { exact: true }).waitFor();
  await shot(e, 'walk-phone-post-privacy');
});

test('headings have no stray colons', async () => {
  await go(d, `/profile/${deeId}/notifications`);
  await d.getByRole('heading', { name: 'Notifications', exact: true }).waitFor();
  await go(d, `/profile/${deeId}/conversations`);
  await d.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();
  await shot(d, 'walk-desktop-conversations');
});

test('desktop: the chat box sits beside the chat column, and its focus rings are whole', async () => {
  await go(d, '/profile');
  await d.getByRole('button', { name: new RegExp(`Chat with ${eve.username}`) }).click();
  const box = d.locator(`.chat-box[data-chat="${eve.username}"]`);
  const input = d.getByLabel(`Message to ${eve.username}`);
  await input.waitFor();
  const [b, side] = [await box.boundingBox(), await d.locator('aside.side').boundingBox()];
  assert.ok(b.x + b.width <= side.x, `the chat box ${JSON.stringify(b)} is left of the chat column ${JSON.stringify(side)}`);
  await input.fill('Hi Eve');
  const { end, dockTop } = await pageEnd(d);
  assert.ok(end <= dockTop, `the end of the page (${end}px) is not under the open chat box (from ${dockTop}px)`);
  for (const target of [input, d.getByRole('button', { name: 'Send message' }), d.getByRole('log', { name: `Messages with ${eve.username}` }),
    d.getByRole('button', { name: `Close chat with ${eve.username}` }), d.getByRole('button', { name: new RegExp(`Minimize chat with ${eve.username}`) })]) {
    await focusByKeyboard(d, target);
    assert.equal(await ringCut(d), '');
  }
  await shot(d, 'walk-desktop-chat-focus');
  await d.getByRole('button', { name: new RegExp(`Minimize chat with ${eve.username}`) }).click();
  const bar = d.getByRole('button', { name: new RegExp(`Open chat with ${eve.username}`) });
  await focusByKeyboard(d, bar);
  assert.equal(await ringCut(d), '', 'the collapsed bar at the bottom of the window');
  await shot(d, 'walk-desktop-chat-bar-focus');
});

test('logged-out pages are centred (no empty chat column)', async () => {
  for (const [name, viewport] of [['anon', DESKTOP], ['anon-phone', PHONE]]) {
    const p = await browser.newPage(name, viewport);
    await p.goto(`/profile/${deeId}`);
    await p.getByRole('heading', { name: dee.username }).waitFor();
    const main = await p.locator('#main').boundingBox();
    const width = await p.evaluate(() => document.documentElement.clientWidth);
    const left = main.x, right = width - main.x - main.width;
    assert.ok(Math.abs(left - right) <= 2, `${name}: #main ${left}px from the left, ${right}px from the right`);
    assert.equal(await p.locator('aside.side').count(), 0);
    await shot(p, `walk-${viewport === PHONE ? 'phone' : 'desktop'}-logged-out-profile`);
    await browser.contexts[name].close();
  }
});

test('the password field is as wide as the e-mail field', async () => {
  for (const [name, viewport] of [['forms', DESKTOP], ['forms-phone', PHONE]]) {
    const p = await browser.newPage(name, viewport);
    for (const path of ['/login', '/register']) {
      await p.goto(path);
      const email = await p.getByLabel('Email').boundingBox();
      const password = await p.getByLabel('Password', { exact: true }).boundingBox();
      assert.ok(Math.abs(email.width - password.width) < 1, `${name} ${path}: e-mail ${email.width}px, password ${password.width}px`);
      assert.ok(Math.abs(email.x - password.x) < 1, `${name} ${path}: the fields line up`);
      // The eye button still sits on the password field, and works.
      await p.getByLabel('Password', { exact: true }).fill('secret-carrot');
      await p.getByRole('button', { name: 'Show password' }).click();
      assert.equal(await p.getByLabel('Password', { exact: true }).getAttribute('type'), 'text');
      await shot(p, `walk-${viewport === PHONE ? 'phone' : 'desktop'}${path.replace('/', '-')}-fields`);
    }
    await browser.contexts[name].close();
  }
});

test('phone: the search placeholder fits', async () => {
  await go(e, '/profile');
  await e.getByRole('heading', { name: eve.username }).waitFor();
  // The placeholder, written as a value, must not scroll the field (this counts the room
  // Chromium keeps for the clear button of a search field).
  const fit = await e.getByRole('combobox', { name: 'Search bunnies' }).evaluate((input) => {
    const old = input.value;
    input.value = input.placeholder;
    const r = { placeholder: input.placeholder, needs: input.scrollWidth, has: input.clientWidth };
    input.value = old;
    return r;
  });
  assert.ok(fit.needs <= fit.has, `placeholder "${fit.placeholder}" needs ${fit.needs}px, has ${fit.has}px`);
  assert.match(fit.placeholder, /^Search/);
  await shot(e, 'walk-phone-search');
});

test('phone: no square tap highlights on buttons and links', async () => {
  const flashy = await e.evaluate(() => [...document.querySelectorAll('button, a[href]')]
    .filter((el) => getComputedStyle(el).webkitTapHighlightColor !== 'rgba(0, 0, 0, 0)')
    .map((el) => el.outerHTML.slice(0, 80)));
  assert.deepEqual(flashy, [], 'buttons and links with a tap highlight');
});

test('phone: the collapsed chat bars do not hide the end of the page', async () => {
  await go(e, '/chat?tab=friends');
  for (const u of [fay, gus, dee]) {
    await e.getByRole('button', { name: new RegExp(`Chat with ${u.username}`) }).click();
    await e.getByLabel(`Message to ${u.username}`).waitFor();
    if (u !== dee) await e.getByRole('button', { name: new RegExp(`Minimize chat with ${u.username}`) }).click();
  }
  // From dee's open box to her profile, then the box down to a bar.
  await e.getByRole('link', { name: `${dee.username}’s profile` }).click();
  await e.getByRole('button', { name: new RegExp(`Minimize chat with ${dee.username}`) }).click();
  await e.getByRole('heading', { name: dee.username }).waitFor();
  await e.getByRole('article').first().waitFor();
  const { end, dockTop, bars } = await pageEnd(e);
  assert.equal(bars, 3);
  assert.ok(end <= dockTop, `the page ends at ${end}px, under the chat bars from ${dockTop}px`);
  await shot(e, 'walk-phone-chat-bars-end');
  // The bars' focus rings are whole too.
  await focusByKeyboard(e, e.getByRole('button', { name: new RegExp(`Open chat with ${dee.username}`) }));
  assert.equal(await ringCut(e), '');
  await e.getByRole('button', { name: new RegExp(`Open chat with ${dee.username}`) }).click();
  const log = e.getByRole('log', { name: `Messages with ${dee.username}` });
  await focusByKeyboard(e, log);
  assert.equal(await ringCut(e), '', 'the message list of the full-screen box');
  await shot(e, 'walk-phone-chat-focus');
});
