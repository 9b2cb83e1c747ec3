// End-to-end: two bunnies in two browser contexts of Debian's Chromium,
// against the real server started by scripts/ui-test.sh (BUNNYBOOK_URL).
// Screenshots go to ARTIFACTS (default ../test-artifacts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Browser, DESKTOP, PHONE, WAIT, login, register, shot } from './lib.mjs';

const run = Date.now().toString(36);
const alice = { username: `alice${run}`, email: `alice${run}@bunny.test`, password: 'carrots-4-ever' };
const bob = { username: `bob${run}`, email: `bob${run}@bunny.test`, password: 'lettuce-4-ever' };

const browser = new Browser();
const contexts = browser.contexts;
const newPage = (name, viewport = DESKTOP) => browser.newPage(name, viewport);

before(() => browser.launch());
after(() => browser.close());

let a, b, bobId;

test('register shows field errors and a conflict under the right field', async () => {
  a = await newPage('alice');
  await page_register_errors(a);
});

async function page_register_errors(page) {
  await page.goto('/register');
  await page.getByRole('img', { name: 'Your new avatar' }).waitFor();
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Username').fill('_x');
  await page.getByText('email must be valid').waitFor();
  await page.getByText('username must be valid').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Register' }).isDisabled(), true);
  await page.getByRole('button', { name: 'Generate new avatar' }).click();
  await shot(page, 'desktop-register');
}

test('two bunnies register and log in', async () => {
  await register(a, alice);
  await shot(a, 'desktop-login');
  await login(a, alice);
  b = await newPage('bob');
  await register(b, bob);
  // Registering the same username again names the username field.
  await b.goto('/register');
  await b.getByLabel('Email').fill(`other${run}@bunny.test`);
  await b.getByLabel('Username').fill(bob.username);
  await b.getByLabel('Password', { exact: true }).fill(bob.password);
  await b.getByRole('button', { name: 'Register' }).click();
  await b.locator('#reg-username-msg').getByText(/taken/i).waitFor();
  await login(b, bob);
  bobId = new URL(b.url()).pathname.split('/')[2];
  assert.ok(bobId, 'bob lands on his own wall');
});

test('alice finds bob with the navbar search and sends a friend request; bob accepts', async () => {
  const search = a.getByRole('combobox', { name: 'Search bunnies' });
  await search.fill(bob.username.slice(0, 6));
  await a.getByRole('option', { name: bob.username }).click();
  await a.getByRole('heading', { name: bob.username }).waitFor();
  await a.getByRole('button', { name: 'Add friend' }).click();
  await a.getByRole('button', { name: 'Cancel friend request' }).waitFor();

  // Bob's bell counts the request live.
  await b.getByRole('link', { name: 'Notifications, 1 unread' }).waitFor();
  await b.getByRole('link', { name: 'Friends', exact: true }).click();
  await b.getByRole('link', { name: 'Incoming friend requests' }).click();
  await b.getByRole('link', { name: alice.username }).waitFor();
  await shot(b, 'desktop-friend-requests');
  await b.getByRole('button', { name: `Accept ${alice.username}'s friend request` }).click();
  await b.getByText('No results.').waitFor();

  // Both now see each other in the chat panel, online.
  await a.getByRole('button', { name: new RegExp(`Chat with ${bob.username} \\(online`) }).waitFor();
  await b.getByRole('button', { name: new RegExp(`Chat with ${alice.username} \\(online`) }).waitFor();
  await b.getByRole('link', { name: 'Your friends' }).click();
  await b.getByRole('link', { name: alice.username }).waitFor();
  await shot(b, 'desktop-friends');
});

test('alice posts for friends, bob comments, alice is notified', async () => {
  await a.getByRole('link', { name: /Your profile/ }).click();
  await a.getByLabel('What are you thinking about?').fill('Carrots are the best!');
  await a.getByLabel('Who can see it').selectOption('FRIENDS');
  await a.getByRole('button', { name: 'Publish' }).click();
  await a.getByText('Carrots are the best!').waitFor();
  await a.getByLabel('What are you thinking about?').fill('A post to delete');
  await a.getByRole('button', { name: 'Publish' }).click();
  const doomed = a.getByRole('article').filter({ hasText: 'A post to delete' });
  a.once('dialog', (d) => d.accept());
  await doomed.getByRole('button', { name: 'Delete post' }).click();
  await doomed.waitFor({ state: 'detached' });
  await shot(a, 'desktop-profile');

  await b.goto(new URL(a.url()).pathname);
  await b.getByText('Carrots are the best!').waitFor();
  await b.getByLabel('Add a comment').fill('Agreed, crunchy!');
  await b.getByLabel('Add a comment').press('Enter');
  await b.getByText('Agreed, crunchy!').waitFor();

  // One for the accepted friend request, one for the comment.
  await a.getByRole('link', { name: 'Notifications, 2 unread' }).waitFor();
  await a.getByRole('link', { name: /Notifications/ }).click();
  await a.getByText(/has commented/).waitFor();
  await a.getByRole('link', { name: 'Notifications, 0 unread' }).waitFor();
  await shot(a, 'desktop-notifications');
  await a.getByText(/has commented/).click();
  await a.getByText('Agreed, crunchy!').waitFor(); // the single post page loads its comments
  await shot(a, 'desktop-post');
});

test("likes: bob likes alice's post, she sees the count and is told live; she likes his comment", async () => {
  const bPost = b.getByRole('article').filter({ hasText: 'Carrots are the best!' });
  await bPost.getByRole('button', { name: 'Like post, 0 likes' }).click();
  const liked = bPost.getByRole('button', { name: 'Like post, 1 like' });
  await liked.waitFor();
  assert.equal(await liked.getAttribute('aria-pressed'), 'true');
  await shot(b, 'desktop-liked');

  await a.getByRole('link', { name: 'Notifications, 1 unread' }).waitFor(); // live
  await a.reload();
  const aPost = a.getByRole('article').filter({ hasText: 'Carrots are the best!' });
  const count = aPost.getByRole('button', { name: 'Like post, 1 like' });
  await count.waitFor();
  assert.equal(await count.getAttribute('aria-pressed'), 'false', 'bob\'s like is not alice\'s');
  await aPost.getByRole('button', { name: 'Like comment, 0 likes' }).click();
  await aPost.getByRole('button', { name: 'Like comment, 1 like' }).waitFor();
  await a.getByRole('link', { name: /Notifications/ }).click();
  await a.getByText(`${bob.username} likes your post: "Carrots are the best!"`).waitFor();
  await a.getByRole('link', { name: 'Notifications, 0 unread' }).waitFor();
  await shot(a, 'desktop-like-notification');

  await b.getByRole('link', { name: /Notifications/ }).click();
  await b.getByText(`${alice.username} likes your comment: "Agreed, crunchy!"`).waitFor();
  // Bob takes his like back; his wall view says so after a reload.
  await b.goBack();
  await bPost.getByRole('button', { name: 'Like post, 1 like' }).click();
  await bPost.getByRole('button', { name: 'Like post, 0 likes' }).waitFor();
  await b.reload();
  await bPost.getByRole('button', { name: 'Like post, 0 likes' }).waitFor();
});

test('chat: typing indicator, messages and unread counts live both ways', async () => {
  await a.getByRole('button', { name: new RegExp(`Chat with ${bob.username}`) }).click();
  await b.getByRole('button', { name: new RegExp(`Chat with ${alice.username}`) }).click();
  const aInput = a.getByLabel(`Message to ${bob.username}`);
  const bInput = b.getByLabel(`Message to ${alice.username}`);
  await aInput.pressSequentially('Hi Bob', { delay: 30 });
  await b.getByText(`${alice.username} is typing`).waitFor();
  await shot(b, 'desktop-chat-typing');
  await aInput.press('Enter');
  await b.getByRole('log', { name: `Messages with ${alice.username}` }).getByText('Hi Bob').waitFor();
  await b.getByText(`${alice.username} is typing`).waitFor({ state: 'hidden' });

  await bInput.pressSequentially('Hello Alice!', { delay: 30 });
  await a.getByText(`${bob.username} is typing`).waitFor();
  await bInput.press('Enter');
  await a.getByRole('log', { name: `Messages with ${bob.username}` }).getByText('Hello Alice!').waitFor();
  await shot(a, 'desktop-chat');
  const aBox = a.locator(`.chat-box[data-chat="${bob.username}"]`);
  assert.equal(await aBox.getByText(bob.username, { exact: true }).count(), 1, 'the chat box names bob once');
  assert.equal(await aBox.locator('.chat-bar').getByText(bob.username, { exact: true }).count(), 1, 'in its header');

  // A collapsed box counts unread messages; the conversations page shows it unread.
  await a.getByRole('button', { name: new RegExp(`Minimize chat with ${bob.username}`) }).click();
  await bInput.fill('Are you there?');
  await bInput.press('Enter');
  await a.getByLabel('1 unread messages').waitFor();
  await a.getByRole('link', { name: 'Conversations, 1 unread' }).click();
  await a.getByRole('button', { name: new RegExp(`Conversation with ${bob.username}, 1 unread message: ${bob.username}: Are you there\\?`) }).waitFor();
  await shot(a, 'desktop-conversations');
  await a.getByRole('button', { name: new RegExp(`Conversation with ${bob.username}`) }).click();
  await a.getByRole('link', { name: 'Conversations, 0 unread' }).waitFor();
  await a.getByRole('log', { name: `Messages with ${bob.username}` }).getByText('Are you there?').waitFor();

  // A message to the open box while alice's tab is hidden stays unread until she comes back.
  const hide = (hidden) => a.evaluate((hidden) => {
    if (hidden) Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    else delete document.visibilityState;
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await hide(true);
  await bInput.fill('Still there?');
  await bInput.press('Enter');
  await a.getByRole('log', { name: `Messages with ${bob.username}` }).getByText('Still there?').waitFor();
  await a.getByRole('link', { name: 'Conversations, 1 unread' }).waitFor();
  await hide(false);
  await a.getByRole('link', { name: 'Conversations, 0 unread' }).waitFor();
});

test('presence: bob leaving shows him offline to alice', async () => {
  await contexts.bob.close();
  await a.getByRole('button', { name: new RegExp(`Chat with ${bob.username} \\(offline`) }).waitFor();
});

let p; // bob on a phone

test('phone size: bob chats from a 360×740 screen', async () => {
  p = await newPage('bob-phone', PHONE);
  await login(p, bob);
  await shot(p, 'phone-profile');
  await a.getByRole('button', { name: new RegExp(`Chat with ${bob.username} \\(online`) }).waitFor();
  await p.getByRole('link', { name: /^Chat/ }).click();
  await shot(p, 'phone-chat-list');
  await p.getByRole('button', { name: new RegExp(`^Conversation with ${alice.username}`) }).click();
  const log = p.getByRole('log', { name: `Messages with ${alice.username}` });
  await log.getByText('Hello Alice!').waitFor(); // history loaded
  const input = p.getByLabel(`Message to ${alice.username}`);
  assert.ok(await input.isVisible(), 'the message input is visible on a phone');
  await input.fill('Typing from my phone');
  await input.press('Enter');
  await a.getByRole('log', { name: `Messages with ${bob.username}` }).getByText('Typing from my phone').waitFor();
  await a.getByLabel(`Message to ${bob.username}`).pressSequentially('Nice phone', { delay: 30 });
  await p.getByText(`${alice.username} is typing`).waitFor();
  await a.getByLabel(`Message to ${bob.username}`).press('Enter');
  await log.getByText('Nice phone').waitFor();
  await shot(p, 'phone-chat');
  const box = await p.locator('.chat-box.open').boundingBox();
  assert.ok(box && box.width <= PHONE.width && box.height <= PHONE.height, `chat box fits the phone screen: ${JSON.stringify(box)}`);

  await p.getByRole('button', { name: new RegExp(`Minimize chat with ${alice.username}`) }).click();
  await p.getByRole('link', { name: 'Friends', exact: true }).click();
  await p.getByRole('link', { name: alice.username }).waitFor();
  await shot(p, 'phone-friends');
  await p.getByRole('link', { name: /Notifications/ }).click();
  await p.getByText(/sent you a friend/).waitFor();
  await shot(p, 'phone-notifications');

  const anon = await newPage('anon-phone', PHONE);
  await anon.goto('/login');
  await anon.getByRole('button', { name: 'Login' }).waitFor();
  await shot(anon, 'phone-login');
  await anon.goto('/register');
  await anon.getByRole('img', { name: 'Your new avatar' }).waitFor();
  await shot(anon, 'phone-register');
});

test('a dropped connection reconnects and resumes without losing messages', async () => {
  // Alice's new tab reaches /ws through a route the test can cut.
  const ar = await contexts.alice.newPage();
  ar.setDefaultTimeout(WAIT);
  let blocked = false;
  const live = [];
  await ar.routeWebSocket(/\/ws$/, (ws) => {
    if (blocked) return ws.close({ code: 1001, reason: 'test: network down' });
    live.push({ ws, server: ws.connectToServer() });
  });
  await ar.goto('/profile');
  await ar.getByRole('button', { name: new RegExp(`Chat with ${bob.username}`) }).click();
  const log = ar.getByRole('log', { name: `Messages with ${bob.username}` });
  await log.getByText('Nice phone').waitFor();

  blocked = true;
  for (const { ws, server } of live.splice(0)) {
    await server.close().catch(() => {});
    await ws.close({ code: 1001, reason: 'test: network down' }).catch(() => {});
  }
  await ar.getByText('Connection lost. Reconnecting…').waitFor();
  const bInput = p.getByLabel(`Message to ${alice.username}`);
  await p.getByRole('button', { name: new RegExp(`Open chat with ${alice.username}`) }).click();
  await bInput.fill('Sent while you were away');
  await bInput.press('Enter');
  await a.getByRole('log', { name: `Messages with ${bob.username}` }).getByText('Sent while you were away').waitFor();

  blocked = false;
  await ar.getByText('Connection lost. Reconnecting…').waitFor({ state: 'hidden', timeout: 30000 });
  await log.getByText('Sent while you were away').waitFor();
  assert.equal(await log.getByText('Sent while you were away').count(), 1, 'the resumed message is shown once');
  await p.getByRole('button', { name: new RegExp(`Minimize chat with ${alice.username}`) }).click();
  await ar.close();
});

test('a lost access token is renewed silently from the refresh cookie', async () => {
  await contexts['bob-phone'].clearCookies({ name: 'access_token' });
  await p.goto('/profile');
  await p.getByRole('heading', { name: bob.username }).waitFor();
  await p.getByRole('link', { name: /^Chat/ }).click();
  await p.getByRole('tab', { name: 'Friends' }).click();
  await p.getByRole('button', { name: new RegExp(`Chat with ${alice.username} \\(online`) }).waitFor();
});

test('suggestions with mutual friend counts, and mutual friends', async () => {
  // Carol befriends Bob through the API; Bob accepts on his phone.
  const carol = { username: `carol${run}`, email: `carol${run}@bunny.test`, password: 'clover-4-ever' };
  const c = await newPage('carol');
  await c.goto('/login');
  await c.getByRole('button', { name: 'Login' }).waitFor(); // the app's own session check is over
  const status = await c.evaluate(async ({ carol, bobId }) => {
    const post = (url, body) => fetch(url, {
      method: 'POST', body: body && JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': document.cookie.match(/csrf_token=([^;]+)/)?.[1] ?? '' },
    });
    await post('/web/register', carol);
    await post('/web/login', { email: carol.email, password: carol.password });
    const me = await (await fetch('/web/me')).json();
    return (await post(`/web/profiles/${me.id}/outgoing_friend_requests/${bobId}`)).status;
  }, { carol, bobId });
  assert.equal(status, 201, 'carol sends bob a friend request');
  await p.getByRole('link', { name: 'Friends', exact: true }).click();
  await p.getByRole('link', { name: 'Incoming friend requests' }).click();
  await p.getByRole('button', { name: `Accept ${carol.username}'s friend request` }).click();
  await p.getByText('No results.').waitFor();

  await a.getByRole('link', { name: 'Friends', exact: true }).click();
  await a.getByRole('link', { name: 'Bunnies you may know' }).click();
  const row = a.getByRole('listitem').filter({ hasText: carol.username });
  await row.getByText('1 mutual friend').waitFor();
  await shot(a, 'desktop-suggestions');
  await row.getByRole('link', { name: carol.username }).click();
  await a.getByRole('heading', { name: carol.username }).waitFor();
  await a.getByRole('link', { name: 'Mutual friends' }).click();
  await a.locator('#main').getByRole('link', { name: bob.username }).waitFor();
  await a.getByRole('link', { name: /Your profile/ }).click();
  await a.getByRole('heading', { name: alice.username }).waitFor();
});

test('keyboard only: log in with Tab and Enter', async () => {
  const k = await newPage('keyboard');
  await k.goto('/login');
  await k.getByLabel('Email').focus();
  await k.keyboard.type(alice.email);
  await k.keyboard.press('Tab');
  await k.keyboard.type(alice.password);
  await k.keyboard.press('Enter');
  await k.getByRole('heading', { name: alice.username }).waitFor();
  await contexts.keyboard.close();
});

test('logging out in one tab logs out every tab', async () => {
  const a2 = await contexts.alice.newPage();
  await a2.goto('/profile');
  await a2.getByRole('heading', { name: alice.username }).waitFor();
  await a.getByRole('button', { name: 'Log out' }).click();
  await a.getByRole('button', { name: 'Login' }).waitFor();
  await a2.getByRole('link', { name: 'Log in' }).waitFor();
  const me = await a2.evaluate(() => fetch('/web/me').then((r) => r.status));
  assert.equal(me, 401);
});
