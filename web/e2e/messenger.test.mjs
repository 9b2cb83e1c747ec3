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

// ---- group chats, "Seen" and reactions ----

const CLUB = `Carrot club ${run}`;
/** groupBox is a group's chat box. */
const groupBox = (page, name = CLUB) => page.locator(`.chat-box[data-chat="${name}"]`);
const groupLog = (page, name = CLUB) => page.getByRole('log', { name: `Messages in ${name}` });

test('desktop: hal makes a group of ivy and jon from the friends list; it reaches them live', async () => {
  const panel = h.locator('aside.side');
  await panel.getByRole('button', { name: 'New group' }).click();
  await panel.getByLabel('Group name').fill(CLUB);
  const create = panel.getByRole('button', { name: 'Create group' });
  await panel.getByRole('checkbox', { name: ivy.username }).check();
  assert.equal(await create.isDisabled(), true, 'a group needs two friends besides its creator');
  await panel.getByRole('checkbox', { name: jon.username }).check();
  await shot(h, 'messenger-desktop-new-group');
  await create.click();
  await groupLog(h).getByText(`Say hello to ${CLUB}!`).waitFor();
  await panel.getByRole('button', { name: `Group chat ${CLUB} (3 members)` }).waitFor();
  // Jon learns of it live (group.added), without reloading.
  await j.locator('aside.side').getByRole('button', { name: `Group chat ${CLUB} (3 members)` }).waitFor();

  const input = h.getByLabel(`Message to ${CLUB}`);
  await input.fill('Welcome to the club');
  await input.press('Enter');
  // Jon's box opens by itself, naming the sender over the message.
  const jLog = groupLog(j);
  await jLog.getByText('Welcome to the club').waitFor();
  await jLog.locator('.msg-sender').getByText(hal.username, { exact: true }).waitFor();
  // Ivy's phone list shows the group with who wrote.
  await i.getByRole('tab', { name: 'Chats' }).click();
  await i.getByRole('button', { name: new RegExp(`^Group conversation ${CLUB}, 1 unread message: ${hal.username}: Welcome to the club`) }).waitFor();
  await shot(i, 'messenger-phone-list-group');

  // Typing in a group names who types.
  await j.getByLabel(`Message to ${CLUB}`).pressSequentially('Hi all', { delay: 30 });
  await groupBox(h).getByText(`${jon.username} is typing`).waitFor();
  await j.getByLabel(`Message to ${CLUB}`).press('Enter');
  await groupLog(h).getByText('Hi all').waitFor();
  await shot(h, 'messenger-desktop-group');
});

test('seen: "Seen" under the last message the friend read, "Seen by …" in a group, after a reload too', async () => {
  // Jon's group box is open and he is looking: hal's message is seen by jon.
  const hLog = groupLog(h);
  await hLog.locator('.seen').getByText(`Seen by ${jon.username}`).waitFor();
  // Ivy opens the group on her phone.
  await i.getByRole('button', { name: new RegExp(`^Group conversation ${CLUB}`) }).click();
  await groupLog(i).getByText('Hi all').waitFor();
  await shot(i, 'messenger-phone-group');
  await i.getByRole('button', { name: `Back from group chat ${CLUB}` }).click();
  // Ivy read up to jon's "Hi all": her mark sits there; jon's own message does not carry his.
  await hLog.locator('.msg-row', { hasText: 'Hi all' }).locator('.seen').getByText(`Seen by ${ivy.username}`).waitFor();
  await hLog.locator('.msg-row', { hasText: 'Welcome to the club' }).locator('.seen').getByText(`Seen by ${jon.username}`).waitFor();

  // Private chat: hal writes, ivy reads it on her phone, hal sees "Seen".
  await say(h, ivy, 'See you there');
  const row = h.getByRole('log', { name: `Messages with ${ivy.username}` }).locator('.msg-row', { hasText: 'See you there' });
  assert.equal(await row.locator('.seen').count(), 0);
  await conversation(i, hal).click();
  await i.getByRole('log', { name: `Messages with ${hal.username}` }).getByText('See you there').waitFor();
  await i.getByRole('button', { name: `Back from chat with ${hal.username}` }).click();
  await row.locator('.seen').getByText('Seen', { exact: true }).waitFor();
  await shot(h, 'messenger-desktop-seen');

  // After a reload the marks come back from the conversation list.
  await h.reload();
  await h.getByRole('button', { name: new RegExp(`^Chat with ${ivy.username}`) }).click();
  await h.getByRole('log', { name: `Messages with ${ivy.username}` }).locator('.msg-row', { hasText: 'See you there' })
    .locator('.seen').getByText('Seen', { exact: true }).waitFor();
  await h.locator('aside.side').getByRole('button', { name: new RegExp(`^Group chat ${CLUB}`) }).click();
  await groupLog(h).locator('.seen').getByText(`Seen by ${ivy.username}`).waitFor();
});

test('reactions: a picker on desktop, a long press on a phone, counts and toggling, kept after a reload', async () => {
  const welcome = (page) => groupLog(page).locator('.msg-row', { hasText: 'Welcome to the club' });
  // Jon reacts from the button beside the message.
  await welcome(j).hover();
  await welcome(j).getByRole('button', { name: 'React to this message' }).click();
  await welcome(j).getByRole('button', { name: 'React with 🥕' }).click();
  await welcome(h).getByRole('button', { name: '🥕 1: add yours' }).waitFor();
  await welcome(j).getByRole('button', { name: '🥕 1, yours: remove it' }).waitFor();
  // Hal adds his by pressing the chip.
  await welcome(h).getByRole('button', { name: '🥕 1: add yours' }).click();
  await welcome(h).getByRole('button', { name: '🥕 2, yours: remove it' }).waitFor();
  await welcome(j).getByRole('button', { name: '🥕 2, yours: remove it' }).waitFor();
  await shot(h, 'messenger-desktop-reactions');

  // Ivy long-presses the message on her phone.
  await i.getByRole('button', { name: new RegExp(`^Group conversation ${CLUB}`) }).click();
  const bubble = welcome(i).locator('.msg');
  await bubble.waitFor();
  assert.equal(await welcome(i).getByRole('button', { name: 'React to this message' }).isVisible(), false, 'no hover button on a phone');
  await bubble.dispatchEvent('pointerdown', { pointerType: 'touch', isPrimary: true });
  await welcome(i).getByRole('group', { name: 'Pick a reaction' }).waitFor();
  await bubble.dispatchEvent('pointerup', { pointerType: 'touch', isPrimary: true });
  await shot(i, 'messenger-phone-picker');
  await welcome(i).getByRole('button', { name: 'React with 👍' }).tap();
  await welcome(h).getByRole('button', { name: '👍 1: add yours' }).waitFor();
  await welcome(i).getByRole('button', { name: '👍 1, yours: remove it' }).waitFor();
  await shot(i, 'messenger-phone-reactions');
  await i.getByRole('button', { name: `Back from group chat ${CLUB}` }).click();

  // Jon takes his back.
  await welcome(j).getByRole('button', { name: '🥕 2, yours: remove it' }).click();
  await welcome(h).getByRole('button', { name: '🥕 1, yours: remove it' }).waitFor();

  // History carries them.
  await j.reload();
  await j.locator('aside.side').getByRole('button', { name: new RegExp(`^Group chat ${CLUB}`) }).click();
  await welcome(j).getByRole('button', { name: '🥕 1: add yours' }).waitFor();
  await welcome(j).getByRole('button', { name: '👍 1: add yours' }).waitFor();
});

test('group settings: rename, add a friend, leave — every member follows live', async () => {
  const kim = user('kim');
  const k = await browser.newPage('kim', DESKTOP);
  const kimId = await signUpQuietly(k, kim);
  await befriend(h, halId, k, kimId);
  await h.getByRole('button', { name: new RegExp(`^Chat with ${kim.username}`) }).waitFor();

  const renamed = `Carrot council ${run}`;
  await groupBox(h).getByRole('button', { name: `Settings of group chat ${CLUB}` }).click();
  const settings = groupBox(h).getByRole('region', { name: `Settings of ${CLUB}` });
  await settings.getByLabel('Group name').fill(renamed);
  await settings.getByRole('button', { name: 'Rename' }).click();
  await groupLog(j, renamed).waitFor(); // jon's open box follows group.updated
  await j.locator('aside.side').getByRole('button', { name: `Group chat ${renamed} (3 members)` }).waitFor();

  const renamedSettings = groupBox(h, renamed).getByRole('region', { name: `Settings of ${renamed}` });
  await renamedSettings.getByLabel('Friend to add').selectOption({ label: kim.username });
  await renamedSettings.getByRole('button', { name: 'Add' }).click();
  await k.locator('aside.side').getByRole('button', { name: `Group chat ${renamed} (4 members)` }).waitFor();
  const members = renamedSettings.getByRole('list', { name: 'Members' });
  await members.getByText(kim.username, { exact: true }).waitFor();
  await shot(h, 'messenger-desktop-group-settings');

  // Jon leaves: his box and list entry go; the others see three members.
  await groupBox(j, renamed).getByRole('button', { name: `Settings of group chat ${renamed}` }).click();
  j.once('dialog', (d) => d.accept());
  await groupBox(j, renamed).getByRole('button', { name: 'Leave group' }).click();
  await groupBox(j, renamed).waitFor({ state: 'detached' });
  assert.equal(await j.getByRole('button', { name: new RegExp(`^Group chat ${renamed}`) }).count(), 0);
  await h.locator('aside.side').getByRole('button', { name: `Group chat ${renamed} (3 members)` }).waitFor();
  await members.getByText(jon.username, { exact: true }).waitFor({ state: 'detached' });

  // Hal made the group: he may remove kim, who loses it live.
  await members.getByRole('button', { name: `Remove ${kim.username}` }).click();
  await k.locator('aside.side').getByRole('button', { name: new RegExp(`^Group chat ${renamed}`) }).waitFor({ state: 'detached' });
  await h.locator('aside.side').getByRole('button', { name: `Group chat ${renamed} (2 members)` }).waitFor();
  assert.deepEqual(await members.getByRole('listitem').allInnerTexts().then((xs) => xs.map((x) => x.split('\n')[0])), [ivy.username]);
  // Ivy, not its maker, sees the members without remove buttons.
  await i.getByRole('button', { name: new RegExp(`^Group conversation ${renamed}`) }).click();
  await groupBox(i, renamed).getByRole('button', { name: `Settings of group chat ${renamed}` }).click();
  await groupBox(i, renamed).locator('.members').getByText(new RegExp(`you, ${hal.username}|${hal.username}, you`)).waitFor();
  assert.equal(await groupBox(i, renamed).getByRole('button', { name: /^Remove/ }).count(), 0);
  // Jon left, but his message still says it is his.
  await groupLog(i, renamed).locator('.msg-row', { hasText: 'Hi all' }).locator('.msg-sender').getByText(jon.username, { exact: true }).waitFor();
  await shot(i, 'messenger-phone-group-settings');
  await browser.contexts.kim.close();
});
