// @vitest-environment node
// The reducer is pure: these tests run without a DOM, a socket or timers.
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../types';
import type { ServerFrame } from './protocol';
import { initialData, lastSeqs, mergeMessages, PAGE, reactionID, reduce, toggled, TYPING_SHOW_MS, type RealtimeData, type RealtimeEvent } from './reducer';

const ME = 'me-1', BOB = 'bob-1', CAT = 'cat-1', G_BOB = 'g-bob', G_CAT = 'g-cat';

const msg = (seq: number, from = BOB, group = G_BOB): ChatMessage => ({
  id: `m${group}${seq}`, seq, chatGroupId: group, fromProfileId: from, content: `hello ${seq}`, createdAt: new Date(seq * 1000).toISOString(),
});

const hello: ServerFrame = {
  type: 'hello', profileId: ME, connId: 'c1',
  privateChats: [{ chatGroupId: G_BOB, profileId: BOB, username: 'bob' }, { chatGroupId: G_CAT, profileId: CAT, username: 'cat' }],
  onlineFriends: [BOB], unreadConversationIds: [G_CAT], unreadNotificationsCount: 3,
};

/** run applies events in order from the initial state, all at time now. */
const run = (events: RealtimeEvent[], now = 0, from: RealtimeData = initialData()) => events.reduce((s, e) => reduce(s, e, now), from);

describe('mergeMessages', () => {
  it('orders by seq and drops duplicates', () => {
    expect(mergeMessages([msg(1), msg(3)], [msg(2), msg(3), msg(1)]).map((m) => m.seq)).toEqual([1, 2, 3]);
  });
  it('returns the same list when nothing is new', () => {
    const list = [msg(1)];
    expect(mergeMessages(list, [msg(1)])).toBe(list);
  });
});

describe('reduce', () => {
  it('takes who we are, friends, presence and unread counts from hello, and keeps loaded chats', () => {
    const before = run([{ type: 'chat.message', message: msg(4) }]);
    const s = reduce(before, hello, 0);
    expect(s.me).toBe(ME);
    expect(s.friends.map((f) => f.username)).toEqual(['bob', 'cat']);
    expect([...s.online]).toEqual([BOB]);
    expect([...s.unreadConversations]).toEqual([G_CAT]);
    expect(s.unreadNotifications).toBe(3);
    expect(s.chats[G_BOB].messages.map((m) => m.seq)).toEqual([4]);
  });

  it('tracks presence', () => {
    const s = run([hello, { type: 'presence', profileId: CAT, online: true }, { type: 'presence', profileId: BOB, online: false }]);
    expect([...s.online]).toEqual([CAT]);
  });

  it('merges messages by seq, marks another member’s unread and ours read', () => {
    const s = run([hello, { type: 'chat.message', message: msg(2) }, { type: 'chat.message', message: msg(1) }, { type: 'chat.message', message: msg(2) }]);
    expect(s.chats[G_BOB].messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(s.unreadConversations.has(G_BOB)).toBe(true);
    const mine = reduce(s, { type: 'chat.message', message: msg(3, ME) }, 0);
    expect(mine.unreadConversations.has(G_BOB)).toBe(false);
  });

  it('returns the same state for a message it already has', () => {
    const s = run([hello, { type: 'chat.message', message: msg(1) }]);
    expect(reduce(s, { type: 'chat.message', message: msg(1) }, 0)).toBe(s);
  });

  it('keeps a sent message pending until its ack, and marks a refused one', () => {
    let s = run([hello, { type: 'local.send', chatGroupId: G_BOB, id: 'x1', content: 'hi' }, { type: 'local.send', chatGroupId: G_BOB, id: 'x2', content: 'again' }]);
    expect(s.chats[G_BOB].pending.map((p) => p.id)).toEqual(['x1', 'x2']);
    s = reduce(s, { type: 'chat.ack', id: 'x1', message: msg(1, ME) }, 0);
    expect(s.chats[G_BOB].pending.map((p) => p.id)).toEqual(['x2']);
    expect(s.chats[G_BOB].messages.map((m) => m.content)).toEqual(['hello 1']);
    s = reduce(s, { type: 'error', id: 'x2', code: 'forbidden', message: 'not friends' }, 0);
    expect(s.chats[G_BOB].pending[0]).toEqual({ id: 'x2', content: 'again', at: new Date(0).toISOString(), error: 'not friends' });
    expect(s.error).toBeUndefined();
    s = reduce(s, { type: 'local.retry', chatGroupId: G_BOB, id: 'x2' }, 0);
    expect(s.chats[G_BOB].pending[0].error).toBeUndefined();
    s = reduce(s, { type: 'local.discard', chatGroupId: G_BOB, id: 'x2' }, 0);
    expect(s.chats[G_BOB].pending).toEqual([]);
  });

  it('keeps an error that answers nothing pending', () => {
    expect(run([hello, { type: 'error', code: 'invalid', message: 'bad frame' }]).error).toBe('bad frame');
  });

  it('shows typing until 4 s after the last chat.typing, or until that member’s message', () => {
    const typing: ServerFrame = { type: 'chat.typing', chatGroupId: G_BOB, profileId: BOB, username: 'bob' };
    let s = reduce(run([hello]), typing, 1000);
    expect(s.chats[G_BOB].typing).toEqual([{ profileId: BOB, username: 'bob', until: 1000 + TYPING_SHOW_MS }]);
    expect(reduce(s, { type: 'local.typing.expired', chatGroupId: G_BOB }, 1000 + TYPING_SHOW_MS - 1)).toBe(s);
    expect(reduce(s, { type: 'local.typing.expired', chatGroupId: G_BOB }, 1000 + TYPING_SHOW_MS).chats[G_BOB].typing).toBeUndefined();
    s = reduce(s, { type: 'chat.message', message: msg(1) }, 1500);
    expect(s.chats[G_BOB].typing).toBeUndefined();
    // Our own typing, echoed by another tab of ours, is not shown.
    expect(reduce(s, { ...typing, profileId: ME }, 2000)).toBe(s);
  });

  it('counts notifications', () => {
    let s = run([hello]);
    s = reduce(s, {
      type: 'notification', unreadCount: 4,
      notification: { id: 'n1', createdAt: '', profileId: ME, read: false, visited: false, data: { event: 'NEW_FRIEND', payload: {} } },
    }, 0);
    expect(s.unreadNotifications).toBe(4);
    expect(reduce(s, { type: 'local.notifications.read', count: 10 }, 0).unreadNotifications).toBe(0);
  });

  it('adds and removes friends', () => {
    let s = run([hello, { type: 'friend.added', chatGroupId: 'g-dan', profileId: 'dan', username: 'dan' }]);
    expect(s.friends.map((f) => f.username)).toEqual(['bob', 'cat', 'dan']);
    s = reduce(s, { type: 'friend.removed', profileId: BOB }, 0);
    expect(s.friends.map((f) => f.username)).toEqual(['cat', 'dan']);
    expect(s.online.has(BOB)).toBe(false);
  });

  it('loads history pages: the first page says whether older ones exist, a later newest page does not', () => {
    const page = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => msg(to - i));
    let s = run([hello, { type: 'local.history.loading', chatGroupId: G_BOB }]);
    expect(s.chats[G_BOB].loading).toBe(true);
    s = reduce(s, { type: 'local.history.loaded', chatGroupId: G_BOB, page: page(26, 25 + PAGE), older: false }, 0);
    expect(s.chats[G_BOB]).toMatchObject({ loading: false, loaded: true, hasMore: true });
    s = reduce(s, { type: 'local.history.loaded', chatGroupId: G_BOB, page: page(46, 46), older: false }, 0);
    expect(s.chats[G_BOB].hasMore).toBe(true);
    s = reduce(s, { type: 'local.history.loaded', chatGroupId: G_BOB, page: page(1, 25), older: true }, 0);
    expect(s.chats[G_BOB].hasMore).toBe(false);
    expect(s.chats[G_BOB].messages.map((m) => m.seq)).toEqual(Array.from({ length: 46 }, (_, i) => i + 1));
    expect(lastSeqs(s)).toEqual({ [G_BOB]: 46 });
    s = reduce(s, { type: 'local.history.failed', chatGroupId: G_CAT, error: 'offline' }, 0);
    expect(s.chats[G_CAT]).toMatchObject({ loading: false, loaded: false, error: 'offline' });
    expect(lastSeqs(s)).toEqual({ [G_BOB]: 46 });
  });

  it('forgets a conversation’s unread marker when it is read', () => {
    const s = run([hello, { type: 'local.read', chatGroupId: G_CAT }]);
    expect(s.unreadConversations.size).toBe(0);
  });

  it('counts the messages that arrive unread until the conversation is read or we answer', () => {
    let s = run([hello, { type: 'chat.message', message: msg(1) }, { type: 'chat.message', message: msg(2) }, { type: 'chat.message', message: msg(2) }]);
    expect(s.unreadCounts).toEqual({ [G_BOB]: 2 });
    s = reduce(s, { type: 'local.read', chatGroupId: G_BOB }, 0);
    expect(s.unreadCounts).toEqual({});
    s = run([{ type: 'chat.message', message: msg(3) }], 0, s);
    expect(s.unreadCounts).toEqual({ [G_BOB]: 1 });
    s = reduce(s, { type: 'chat.message', message: msg(4, ME) }, 0);
    expect(s.unreadCounts).toEqual({});
    // After a reconnect, hello says what is still unread: other counts go.
    s = run([{ type: 'chat.message', message: msg(5) }, hello], 0, s);
    expect(s.unreadCounts).toEqual({});
    s = run([{ type: 'chat.message', message: msg(1, BOB, G_CAT) }, hello], 0, s);
    expect(s.unreadCounts).toEqual({ [G_CAT]: 1 });
  });

  it('shows every member who types in a group, each until their message or 4 s', () => {
    const t = (profileId: string, username: string): RealtimeEvent => ({ type: 'chat.typing', chatGroupId: G_BOB, profileId, username });
    let s = reduce(run([hello, t(BOB, 'bob')], 1000), t(CAT, 'cat'), 2000);
    expect(s.chats[G_BOB].typing?.map((x) => x.username)).toEqual(['bob', 'cat']);
    s = reduce(s, { type: 'chat.message', message: msg(1, CAT) }, 2500);
    expect(s.chats[G_BOB].typing?.map((x) => x.username)).toEqual(['bob']);
    s = run([t(CAT, 'cat')], 3000, s);
    s = reduce(s, { type: 'local.typing.expired', chatGroupId: G_BOB }, 1000 + TYPING_SHOW_MS);
    expect(s.chats[G_BOB].typing?.map((x) => x.username)).toEqual(['cat']);
    s = reduce(s, { type: 'local.typing.expired', chatGroupId: G_BOB }, 3000 + TYPING_SHOW_MS);
    expect(s.chats[G_BOB].typing).toBeUndefined();
  });

  it('keeps group chats from hello and group frames, naming members it knows', () => {
    let s = run([{ ...hello, groupChats: [{ chatGroupId: 'g1', name: 'Burrow', memberIds: [ME, BOB, 'x'] }] } as ServerFrame]);
    expect(s.groups).toEqual([{ chatGroupId: 'g1', name: 'Burrow', members: [{ profileId: ME, username: '' }, { profileId: BOB, username: 'bob' }, { profileId: 'x', username: '' }] }]);
    s = run([{ type: 'local.group', group: { chatGroupId: 'g1', name: 'Burrow', members: [{ profileId: 'x', username: 'xena' }, { profileId: BOB, username: 'bob' }] } }], 0, s);
    // A frame that leaves a name out keeps the one known.
    s = run([{ type: 'group.updated', chatGroupId: 'g1', name: 'Warren', members: [{ profileId: 'x', username: '' }] }], 0, s);
    expect(s.groups).toEqual([{ chatGroupId: 'g1', name: 'Warren', members: [{ profileId: 'x', username: 'xena' }] }]);
    s = run([{ type: 'group.updated', chatGroupId: 'g1', name: 'Warren', members: [{ profileId: BOB, username: 'bob' }] }], 0, s);
    s = run([{ type: 'group.removed', chatGroupId: 'g1' }], 0, s);
    expect(s.groups).toEqual([]);
    // Former members keep their names: the history still shows who wrote.
    expect(s.names).toEqual({ [BOB]: 'bob', [CAT]: 'cat', x: 'xena' });
  });

  it('moves read pointers forward only, from chat.seen and conversation pages', () => {
    let s = run([hello, { type: 'chat.seen', chatGroupId: G_BOB, profileId: BOB, seq: 5 }, { type: 'chat.seen', chatGroupId: G_BOB, profileId: BOB, seq: 3 }]);
    expect(s.readSeqs).toEqual({ [G_BOB]: { [BOB]: 5 } });
    const conv = { chatGroupId: G_BOB, chatGroupName: 'bob', content: 'x', createdAt: '', fromProfileId: BOB, fromProfileUsername: 'bob', readAt: null, seq: 6, kind: 'private' as const };
    s = reduce(s, { type: 'local.conversations', items: [{ ...conv, unreadCount: 0, readSeqs: [{ profileId: BOB, seq: 4 }, { profileId: ME, seq: 6 }] }] }, 0);
    expect(s.readSeqs).toEqual({ [G_BOB]: { [BOB]: 5, [ME]: 6 } });
  });

  it('reads a chat that another tab of ours read (our own chat.seen)', () => {
    let s = run([hello, { type: 'chat.message', message: msg(1) }, { type: 'chat.message', message: msg(2) }]);
    s = reduce(s, { type: 'chat.seen', chatGroupId: G_BOB, profileId: ME, seq: 1 }, 0);
    expect(s.unreadConversations.has(G_BOB)).toBe(true); // message 2 is still unread
    s = reduce(s, { type: 'chat.seen', chatGroupId: G_BOB, profileId: ME, seq: 2 }, 0);
    expect(s.unreadConversations.has(G_BOB)).toBe(false);
    expect(s.unreadCounts).toEqual({});
  });

  it('takes the server’s unread count for a conversation still unread, unless it counted more', () => {
    const conv = { chatGroupId: G_CAT, chatGroupName: 'cat', content: 'x', createdAt: '', fromProfileId: CAT, fromProfileUsername: 'cat', readAt: null, seq: 6, kind: 'private' as const, readSeqs: [] };
    let s = reduce(run([hello]), { type: 'local.conversations', items: [{ ...conv, unreadCount: 4 }, { ...conv, chatGroupId: G_BOB, unreadCount: 2 }] }, 0);
    expect(s.unreadCounts).toEqual({ [G_CAT]: 4 }); // G_BOB was read meanwhile
    s = run([{ type: 'chat.message', message: msg(7, CAT, G_CAT) }, { type: 'local.conversations', items: [{ ...conv, unreadCount: 4 }] }], 0, s);
    expect(s.unreadCounts).toEqual({ [G_CAT]: 5 });
  });

  it('applies reactions to loaded messages', () => {
    let s = run([hello, { type: 'chat.message', message: msg(1) }]);
    const r = (profileId: string, emoji: string, on: boolean): RealtimeEvent => ({ type: 'chat.reaction', chatGroupId: G_BOB, messageId: msg(1).id, profileId, emoji, on });
    s = run([r(BOB, '👍', true), r(ME, '👍', true), r(ME, '🥕', true), r(BOB, '👍', false)], 0, s);
    expect(s.chats[G_BOB].messages[0].reactions).toEqual({ '👍': [ME], '🥕': [ME] });
    // A message not loaded here: nothing to change (its history brings the reactions).
    expect(reduce(s, { ...r(BOB, '👍', true), messageId: 'elsewhere' } as RealtimeEvent, 0)).toBe(s);
  });

  it('shows a refused reaction in its chat until our next one lands', () => {
    let s = run([hello, { type: 'chat.message', message: msg(1) }]);
    s = reduce(s, { type: 'error', id: reactionID(G_BOB, 3), code: 'invalid', message: 'at most 8 different reactions' }, 0);
    expect(s.chats[G_BOB].notice).toBe('Reaction not added: at most 8 different reactions');
    expect(s.error).toBeUndefined();
    s = reduce(s, { type: 'chat.reaction', chatGroupId: G_BOB, messageId: msg(1).id, profileId: BOB, emoji: '👍', on: true }, 0);
    expect(s.chats[G_BOB].notice).toBeDefined(); // someone else's reaction says nothing about ours
    s = reduce(s, { type: 'chat.reaction', chatGroupId: G_BOB, messageId: msg(1).id, profileId: ME, emoji: '👍', on: true }, 0);
    expect(s.chats[G_BOB].notice).toBeUndefined();
  });
});

describe('toggled', () => {
  it.each([
    [undefined, '👍', 'a', true, { '👍': ['a'] }],
    [{ '👍': ['a'] }, '👍', 'b', true, { '👍': ['a', 'b'] }],
    [{ '👍': ['a'] }, '👍', 'a', true, { '👍': ['a'] }],
    [{ '👍': ['a'], '🥕': ['b'] }, '👍', 'a', false, { '🥕': ['b'] }],
    [{ '🥕': ['b'] }, '👍', 'a', false, { '🥕': ['b'] }],
  ])('%j %s %s %s', (r, emoji, who, on, want) => {
    expect(toggled(r, emoji, who, on)).toEqual(want);
  });
});
