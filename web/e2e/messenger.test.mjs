// End-to-end: the messenger (issue 14) with three bunnies, hal on a
// desktop, ivy on a 360×740 phone and jon on a desktop, all friends: the
// conversation list (preview, time, unread badge, live reordering, opening
// full screen and back on a phone), message times shown without hovering,
// runs of one sender's messages and day separators. Screenshots:
// messenger-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { befriend, Browser, DESKTOP, PHONE, shot, signUpQuietly } from './lib.mjs';

const run = Date.now().toString(36);
const user = (name) => ({ username: `${name}${run}`, email: `${name}${run}@bunny.test`, password: `${name}-nibbles-hay` });
const hal = user('hal'), ivy = user('ivy'), jon = user('jon');

/** A time of day as the browser's locale writes it (13:05, 1:05 PM). */
const TIME = String.raw`\d{1,2}:\d\d(\s?[AP]M)?`;

const browser = new Browser();
before(() => browser.launch());
after(() => browser.close());

let h, i, j; // hal on a desktop, ivy on a phone, jon on a desktop
let halId, ivyId, jonId;

/** say sends a message from a desktop chat box (opening it from the friends list). */
async function say(page, to, text) {
  const input = page.getByLabel(`Message to ${to.username}`);
  if (!(await input.isVisible())) await page.getByRole('button', { name: new RegExp(`^Chat with ${to.username}`) }).click();
  await input.fill(text);
  await input.press('Enter');
  await page.getByRole('log', { name: `Messages with ${to.username}` }).locator('.msg:not(.pending)').getByText(text, { exact: true }).waitFor();
}

/** conversation is a row of the conversation list. */
const conversation = (page, u) => page.getByRole('button', { name: new RegExp(`^Conversation with ${u.username}[,:]`) });

test('three bunnies sign up and befriend each other', async () => {
  h = await browser.newPage('hal', DESKTOP);
  i = await browser.newPage('ivy', PHONE);
  j = await browser.newPage('jon', DESKTOP);
  [halId, ivyId, jonId] = await Promise.all([signUpQuietly(h, hal), signUpQuietly(i, ivy), signUpQuietly(j, jon)]);
  await befriend(h, halId, i, ivyId);
  await befriend(j, jonId, i, ivyId);
  await befriend(h, halId, j, jonId);
  await h.getByRole('button', { name: new RegExp(`^Chat with ${ivy.username}`) }).waitFor();
  await j.getByRole('button', { name: new RegExp(`^Chat with ${ivy.username}`) }).waitFor();
});

test('phone: the chat page lists conversations, live, with preview, time and unread count', async () => {
  await i.getByRole('link', { name: /^Chat/ }).click();
  await i.getByRole('tab', { name: 'Chats', selected: true }).waitFor();
  await i.getByText('No conversations yet.').waitFor();

  await say(h, ivy, 'Carrot party tonight?');
  await say(h, ivy, 'Bring lettuce');
  const fromHal = conversation(i, hal);
  await fromHal.waitFor();
  assert.match(await fromHal.getAttribute('aria-label'), new RegExp(`, 2 unread messages: ${hal.username}: Bring lettuce, ${TIME}$`));
  assert.equal(await fromHal.locator('.count').innerText(), '2');
  assert.match(await fromHal.locator('time').innerText(), new RegExp(`^${TIME}$`), 'today’s conversations show the time');

  // A newer message from jon puts his conversation on top.
  await say(j, ivy, 'Hay is for horses');
  await conversation(i, jon).waitFor();
  const order = await i.locator('.conv-list .conv .strong').allInnerTexts();
  assert.deepEqual(order, [jon.username, hal.username]);
  // Hal writes again: back on top, counted.
  await say(h, ivy, 'And dandelions');
  await i.getByRole('button', { name: new RegExp(`^Conversation with ${hal.username}, 3 unread messages: ${hal.username}: And dandelions`) }).waitFor();
  assert.deepEqual(await i.locator('.conv-list .conv .strong').allInnerTexts(), [hal.username, jon.username]);
  assert.equal(await i.getByRole('link', { name: 'Chat, 2 unread' }).count(), 1, 'the navbar counts unread conversations');
  assert.equal(await i.locator('.chat-box').count(), 0, 'no collapsed chat bars under the list that shows the same');
  await shot(i, 'messenger-phone-list');
});

test('phone: a conversation opens full screen, with times, runs and a day separator, and Back returns to the list', async () => {
  await conversation(i, hal).click();
  const log = i.getByRole('log', { name: `Messages with ${hal.username}` });
  await log.getByText('And dandelions').waitFor();
  const box = await i.locator('.chat-box.open').boundingBox();
  assert.ok(box && box.x === 0 && box.width === PHONE.width && box.y + box.height === PHONE.height, `full screen: ${JSON.stringify(box)}`);
  await log.locator('.day-sep').getByText('Today').waitFor();
  assert.equal(await log.locator('.day-sep').count(), 1);

  // Every message shows its time without hovering.
  const msgs = log.locator('.msg');
  assert.equal(await msgs.count(), 3);
  for (const time of await msgs.locator('time').all()) {
    assert.ok(await time.isVisible());
    assert.match(await time.innerText(), new RegExp(`^${TIME}$`));
  }
  // Hal's three messages in a row are one run: first, middle, last.
  const classes = await msgs.evaluateAll((els) => els.map((el) => ['first', 'last'].filter((c) => el.classList.contains(c)).join(' ')));
  assert.deepEqual(classes, ['first', '', 'last']);
  // Ivy answers: her message starts a run of her own.
  const input = i.getByLabel(`Message to ${hal.username}`);
  await input.fill('On my way!');
  await input.press('Enter');
  const mine = log.locator('.msg.mine:not(.pending)').getByText('On my way!');
  await mine.waitFor();
  assert.equal(await log.locator('.msg.mine.first.last').count(), 1);
  await shot(i, 'messenger-phone-conversation');

  await i.getByRole('button', { name: `Back from chat with ${hal.username}` }).click();
  await i.locator('.chat-box.open').waitFor({ state: 'detached' });
  await i.getByRole('button', { name: new RegExp(`^Conversation with ${hal.username}: You: On my way!`) }).waitFor();
  await i.getByRole('link', { name: 'Chat, 1 unread' }).waitFor();
  await conversation(i, jon).click();
  await i.getByRole('log', { name: `Messages with ${jon.username}` }).getByText('Hay is for horses').waitFor();
  await i.getByRole('button', { name: `Back from chat with ${jon.username}` }).click();
  await i.getByRole('link', { name: 'Chat, 0 unread' }).waitFor();
  await shot(i, 'messenger-phone-list-read');

  // The friends tab still lists everyone, and opens a chat too.
  await i.getByRole('tab', { name: 'Friends' }).click();
  await i.getByRole('button', { name: new RegExp(`^Chat with ${jon.username}`) }).click();
  await i.getByRole('log', { name: `Messages with ${jon.username}` }).getByText('Hay is for horses').waitFor();
  await i.getByRole('button', { name: `Back from chat with ${jon.username}` }).click();
});

test('desktop: the conversations page and chat boxes show the same', async () => {
  await h.getByRole('link', { name: /^Conversations/ }).click();
  await h.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();
  // Hal's box with ivy is open: her answer is read already.
  const log = h.getByRole('log', { name: `Messages with ${ivy.username}` });
  await log.getByText('On my way!').waitFor();
  await h.getByRole('button', { name: new RegExp(`^Conversation with ${ivy.username}: ${ivy.username}: On my way!`) }).waitFor();
  assert.equal(await log.locator('.day-sep').getByText('Today').count(), 1);
  assert.match(await log.locator('.msg.theirs time').innerText(), new RegExp(`^${TIME}$`));
  // No back button on a desktop: the box has its close button.
  assert.equal(await h.getByRole('button', { name: `Back from chat with ${ivy.username}` }).isVisible(), false);
  await h.getByRole('button', { name: `Close chat with ${ivy.username}` }).waitFor();
  await shot(h, 'messenger-desktop-conversations');
});
