// Notifications, conversations, and the phone-size chat list.
import { Navigate, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { api, timeCursor } from '../api';
import { ChatPanel } from '../components/Chat';
import { ConversationList } from '../components/Conversations';
import { Avatar, Empty, ErrorBox, formatTime, Spinner } from '../components/Common';
import { useEvents, useInfinite, usePaged, useValue } from '../hooks';
import { account$, realtime } from '../session';
import type { Notification } from '../types';

/** notificationView says what a notification is about and where it leads. */
export function notificationView(n: Notification, myId: string): { actor: string; text: React.ReactNode; to: string } {
  const p = n.data.payload;
  switch (n.data.event) {
    case 'NEW_COMMENT_ON_POST':
      return {
        actor: p.byUsername, to: `/post/${p.postId}`,
        text: <><b>{p.byUsername}</b> has commented {p.postById === myId ? <b>your</b> : <b>{p.postByUsername}'s</b>} <b>post</b>: "{p.commentPreview}"</>,
      };
    case 'NEW_LIKE_ON_POST':
      return p.commentId
        ? { actor: p.byUsername, to: `/post/${p.postId}`, text: <><b>{p.byUsername}</b> likes your <b>comment</b>: "{p.commentPreview}"</> }
        : { actor: p.byUsername, to: `/post/${p.postId}`, text: <><b>{p.byUsername}</b> likes your <b>post</b>: "{p.postPreview}"</> };
    case 'NEW_POST_ON_WALL':
      return { actor: p.byUsername, to: `/post/${p.postId}`, text: <><b>{p.byUsername}</b> has posted some new <b>content</b> on your wall: "{p.postPreview}"</> };
    case 'NEW_FRIEND':
      return { actor: p.profileUsername, to: `/profile/${p.profileId}`, text: <><b>{p.profileUsername}</b> and you are now <b>friends</b>!</> };
    case 'NEW_FRIENDSHIP_REQUEST':
      return { actor: p.byUsername, to: `/profile/${myId}/friends/INCOMING_FRIEND_REQUEST`, text: <><b>{p.byUsername}</b> sent you a friend <b>request</b></> };
    default:
      return { actor: '', to: '/', text: 'Something happened' };
  }
}

export function NotificationsPage() {
  const { profileId } = useParams();
  const me = useValue(account$);
  const navigate = useNavigate();
  const list = usePaged<Notification>(`n/${me?.id}`, async (last) => {
    if (!me) return [];
    const page = await api.notifications(me.id, timeCursor(last), 10);
    const unread = page.filter((n) => !n.read).map((n) => n.id);
    if (unread.length > 0) {
      // Seen in the list: mark read; the server's count comes back with the next notification.
      api.markNotifications(me.id, unread, { read: true }).catch(() => {});
      realtime.notificationsRead(unread.length);
    }
    return page;
  }, 10);
  const sentinel = useInfinite(list.more, !list.done && !list.loading && !list.error);
  useEvents(realtime.notifications$, (n) => {
    // A collapsed like notification comes again with its id: move it first.
    list.setItems((xs) => [n, ...xs.filter((x) => x.id !== n.id)]);
    if (me) {
      api.markNotifications(me.id, [n.id], { read: true }).catch(() => {});
      realtime.notificationsRead(1);
    }
  });
  if (me && profileId !== me.id) return <Navigate to={`/profile/${me.id}/notifications`} replace />;
  if (!me) return <Navigate to="/login" replace />;
  const open = (n: Notification, to: string) => {
    if (!n.visited) {
      api.markNotifications(me.id, [n.id], { visited: true }).catch(() => {});
      list.setItems((xs) => xs.map((x) => (x.id === n.id ? { ...x, visited: true } : x)));
    }
    navigate(to);
  };
  return (
    <section className="card" aria-labelledby="notif-title">
      <h1 id="notif-title" className="card-title">Notifications</h1>
      <ul className="notif-list">
        {list.items.map((n) => {
          const v = notificationView(n, me.id);
          return (
            <li key={n.id} className={`notif ${n.visited ? '' : 'unvisited'}`}>
              <a href={v.to} onClick={(e) => { e.preventDefault(); open(n, v.to); }} className="notif-link">
                {v.actor && <Avatar username={v.actor} />}
                <span className="grow">{v.text}<br /><span className="muted small">{formatTime(n.createdAt, true)}</span></span>
                {!n.read && <span className="unread-dot" aria-label="new" />}
              </a>
            </li>
          );
        })}
      </ul>
      {list.loading && <Spinner label="Loading notifications…" />}
      {list.error && <ErrorBox onRetry={list.more}>{list.error}</ErrorBox>}
      {list.done && list.items.length === 0 && <Empty>There are no notifications.</Empty>}
      {!list.done && !list.loading && !list.error && <button type="button" className="btn btn-light wide" onClick={list.more}>Load more</button>}
      <div ref={sentinel} />
    </section>
  );
}

export function ConversationsPage() {
  const { profileId } = useParams();
  const me = useValue(account$);
  if (!me) return <Navigate to="/login" replace />;
  if (profileId !== me.id) return <Navigate to={`/profile/${me.id}/conversations`} replace />;
  return (
    <section className="card" aria-labelledby="conv-title">
      <h1 id="conv-title" className="card-title">Conversations</h1>
      <ConversationList me={me} />
    </section>
  );
}

/**
 * ChatPage is chat on phones, where there is no side column: the
 * conversations, and the friends (with who is online) on a second tab.
 */
export function ChatPage() {
  const me = useValue(account$);
  const [params, setParams] = useSearchParams();
  if (!me) return <Navigate to="/login" replace />;
  const friends = params.get('tab') === 'friends';
  const show = (tab: string) => setParams(tab === 'chats' ? {} : { tab }, { replace: true });
  return (
    <>
      <div className="tabs" role="tablist" aria-label="Chat">
        <button type="button" role="tab" id="tab-chats" aria-selected={!friends} aria-controls="chat-tab" onClick={() => show('chats')}>Chats</button>
        <button type="button" role="tab" id="tab-friends" aria-selected={friends} aria-controls="chat-tab" onClick={() => show('friends')}>Friends</button>
      </div>
      <div id="chat-tab" role="tabpanel" aria-labelledby={friends ? 'tab-friends' : 'tab-chats'}>
        {friends ? <ChatPanel /> : (
          <section className="card" aria-label="Conversations">
            <ConversationList me={me} onEmpty={
              <p className="empty">No conversations yet. <button type="button" className="link-btn" onClick={() => show('friends')}>Pick a friend</button> to start one.</p>
            } />
          </section>
        )}
      </div>
    </>
  );
}
