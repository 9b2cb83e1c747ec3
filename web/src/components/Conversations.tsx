// The conversation list: each chat's avatar, name, last message, time and
// unread badge, newest first. It loads pages of
// GET /web/profiles/{id}/conversations and follows the realtime store: a new
// message moves its conversation to the top with the new preview, and the
// badge follows the store's unread counts.
import { api } from '../api';
import { useEvents, useInfinite, usePaged, useValue } from '../hooks';
import { realtime } from '../session';
import type { Account, ChatMessage, Conversation } from '../types';
import { Dot, GroupAvatars, openAndFocus } from './Chat';
import { Avatar, Empty, ErrorBox, Spinner } from './Common';
import { listTime } from './timeline';

/** withMessage puts a new message at the top of the list as its conversation's latest (unless the list has a newer one). */
export function withMessage(list: Conversation[], m: ChatMessage, names: { chat: string; from: string; group: boolean }): Conversation[] {
  const old = list.find((x) => x.chatGroupId === m.chatGroupId);
  if (old && old.seq >= m.seq) return list;
  const c: Conversation = {
    chatGroupId: m.chatGroupId, chatGroupName: names.chat || (old?.chatGroupName ?? ''), content: m.content, createdAt: m.createdAt,
    fromProfileId: m.fromProfileId, fromProfileUsername: names.from, readAt: null, seq: m.seq,
    kind: old?.kind ?? (names.group ? 'group' : 'private'), readSeqs: old?.readSeqs ?? [], unreadCount: 0,
  };
  return [c, ...list.filter((x) => x.chatGroupId !== m.chatGroupId)];
}

/** withNewGroup lists a group chat just joined, without messages yet, at the top (unless it is listed). */
export function withNewGroup(list: Conversation[], chatGroupId: string, name: string, at: string): Conversation[] {
  if (list.some((x) => x.chatGroupId === chatGroupId)) return list;
  const c: Conversation = {
    chatGroupId, chatGroupName: name, content: '', createdAt: at, fromProfileId: '', fromProfileUsername: '', readAt: null, seq: 0,
    kind: 'group', readSeqs: [], unreadCount: 0,
  };
  return [c, ...list];
}

/** unreadLabel says how many messages are unread: a count when known, else just "unread". */
const unreadLabel = (n: number) => (n > 0 ? `${n} unread message${n === 1 ? '' : 's'}` : 'unread');

export function ConversationList({ me, onEmpty }: { me: Account; onEmpty?: React.ReactNode }) {
  const rt = useValue(realtime.state$);
  const list = usePaged<Conversation>(`c/${me.id}`, async (last) => {
    const page = await api.conversations(me.id, last, 10);
    realtime.conversationsLoaded(page);
    return page;
  }, 10);
  const sentinel = useInfinite(list.more, !list.done && !list.loading && !list.error);
  useEvents(realtime.messages$, (m) => {
    const friend = realtime.friendByGroup(m.chatGroupId);
    const group = realtime.groupById(m.chatGroupId);
    const from = m.fromProfileId === me.id ? me.username : realtime.state.names[m.fromProfileId] ?? '';
    list.setItems((xs) => withMessage(xs, m, { chat: friend?.username ?? group?.name ?? '', from, group: !!group }));
  });
  useEvents(realtime.memberships$, (c) => {
    const group = realtime.groupById(c.chatGroupId);
    list.setItems((xs) => (c.member && group ? withNewGroup(xs, c.chatGroupId, group.name, new Date().toISOString())
      : xs.filter((x) => c.member || x.chatGroupId !== c.chatGroupId)));
  });
  const now = new Date();
  return (
    <>
      <ul className="conv-list">
        {list.items.map((c) => {
          const unread = rt.unreadConversations.has(c.chatGroupId);
          const count = rt.unreadCounts[c.chatGroupId] ?? 0;
          const friend = realtime.friendByGroup(c.chatGroupId);
          const group = rt.groups.find((g) => g.chatGroupId === c.chatGroupId);
          const name = group?.name ?? c.chatGroupName;
          const mine = c.fromProfileId === me.id;
          const empty = c.seq === 0;
          const prefix = mine ? 'You: ' : c.kind === 'group' && !empty ? `${c.fromProfileUsername}: ` : '';
          const preview = empty ? 'No messages yet' : `${prefix}${c.content}`;
          const when = listTime(c.createdAt, now);
          return (
            <li key={c.chatGroupId}>
              <button type="button" className={`conv ${unread ? 'unread' : ''}`} onClick={() => openAndFocus(c.chatGroupId)}
                aria-label={`${c.kind === 'group' ? 'Group conversation' : 'Conversation with'} ${name}${unread ? `, ${unreadLabel(count)}` : ''}: ${
                  empty ? preview : `${mine ? 'You' : c.fromProfileUsername}: ${c.content}`}, ${when}`}>
                <span className="conv-avatar">
                  {group ? <GroupAvatars group={group} me={me.id} size={34} /> : <Avatar username={c.chatGroupName} size={48} />}
                  {friend && <Dot on={rt.online.has(friend.profileId)} />}
                </span>
                <span className="grow conv-text">
                  <span className="conv-top">
                    <span className="strong ellipsis grow">{name}</span>
                    <time className="conv-time" dateTime={c.createdAt}>{when}</time>
                  </span>
                  <span className="conv-bottom">
                    <span className={`ellipsis grow conv-preview${empty ? ' muted' : ''}`}>{preview}</span>
                    {unread && (count > 0 ? <span className="count" aria-hidden="true">{count > 99 ? '99+' : count}</span>
                      : <span className="unread-dot" aria-hidden="true" />)}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {list.loading && <Spinner label="Loading conversations…" />}
      {list.error && <ErrorBox onRetry={list.more}>{list.error}</ErrorBox>}
      {list.done && list.items.length === 0 && (onEmpty ?? <Empty>There are no conversations.</Empty>)}
      {!list.done && !list.loading && !list.error && <button type="button" className="btn btn-light wide" onClick={list.more}>Load more</button>}
      <div ref={sentinel} />
    </>
  );
}
