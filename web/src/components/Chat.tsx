// Chat UI: the friends list with online dots and the dock of chat boxes.
import { useLayoutEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { PHONE, useMedia, useValue } from '../hooks';
import { realtime } from '../session';
import type { Box, ChatState, Pending } from '../realtime/store';
import type { PrivateChat } from '../realtime/protocol';
import type { ChatMessage } from '../types';
import { Avatar, Badge, formatTime } from './Common';
import { IconBack, IconChevron, IconClose, IconSend } from './Icons';
import { clockTime, timeline, type Entry, type TimelineItem } from './timeline';

/** sortFriends puts online friends first, then by username. */
export function sortFriends(friends: PrivateChat[], online: ReadonlySet<string>): PrivateChat[] {
  return [...friends].sort((a, b) => {
    const d = Number(online.has(b.profileId)) - Number(online.has(a.profileId));
    return d !== 0 ? d : a.username.localeCompare(b.username);
  });
}

export function Dot({ on }: { on: boolean }) {
  return <span className={`dot ${on ? 'dot-on' : ''}`} aria-hidden="true" />;
}

/** openAndFocus opens a chat box and puts the keyboard in its input. */
export function openAndFocus(groupId: string) {
  realtime.openChat(groupId);
  requestAnimationFrame(() => document.getElementById(`msg-${groupId}`)?.focus());
}

/** ChatPanel lists every friend; a click opens a chat box. */
export function ChatPanel() {
  const rt = useValue(realtime.state$);
  const friends = sortFriends(rt.friends, rt.online);
  return (
    <section className="card chat-panel" aria-labelledby="chat-panel-title">
      <h2 id="chat-panel-title" className="card-title">Chat</h2>
      {rt.status === 'connecting' && rt.friends.length === 0 && <p className="muted">Connecting…</p>}
      {rt.status !== 'connecting' && friends.length === 0 && <p className="muted">No friends yet: add some to chat with them.</p>}
      <ul className="friend-list">
        {friends.map((f) => {
          const on = rt.online.has(f.profileId);
          const unread = rt.unreadConversations.has(f.chatGroupId);
          return (
            <li key={f.chatGroupId}>
              <button type="button" className="friend-row" onClick={() => openAndFocus(f.chatGroupId)}
                aria-label={`Chat with ${f.username} (${on ? 'online' : 'offline'}${unread ? ', unread messages' : ''})`}>
                <Dot on={on} /> <Avatar username={f.username} /> <span className="grow">{f.username}</span>
                {unread && <span className="unread-dot" aria-hidden="true" />}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/**
 * reserveSpace publishes the dock's height as --dock-h on the root element
 * while the dock is shown, so the page's bottom padding keeps its end clear
 * of the fixed boxes and bars (a React 19 ref callback with a cleanup).
 */
function reserveSpace(el: HTMLElement | null) {
  if (!el) return;
  const root = document.documentElement;
  const set = () => root.style.setProperty('--dock-h', `${Math.ceil(el.getBoundingClientRect().height)}px`);
  set();
  const ro = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(set) : undefined;
  ro?.observe(el);
  return () => {
    ro?.disconnect();
    root.style.removeProperty('--dock-h');
  };
}

/**
 * ChatDock shows the open chat boxes, fixed at the bottom. On a phone's
 * chat page the conversation list already shows what the collapsed bars
 * would, so only an open box is shown there.
 */
export function ChatDock() {
  const rt = useValue(realtime.state$);
  const phone = useMedia(PHONE);
  const { pathname } = useLocation();
  const boxes = phone && pathname === '/chat' ? rt.boxes.filter((b) => !b.collapsed) : rt.boxes;
  if (boxes.length === 0) return null;
  return (
    <div className="dock" aria-label="Open chats" role="region" ref={reserveSpace}>
      {boxes.map((b) => {
        const friend = rt.friends.find((f) => f.chatGroupId === b.groupId);
        return (
          <ChatBox key={b.groupId} box={b} friend={friend} chat={rt.chats[b.groupId]} me={rt.me}
            online={friend ? rt.online.has(friend.profileId) : false} />
        );
      })}
    </div>
  );
}

interface BoxProps { box: Box; friend?: PrivateChat; chat?: ChatState; me?: string; online: boolean }

function ChatBox({ box, friend, chat, me, online }: BoxProps) {
  const name = friend?.username ?? 'Former friend';
  const id = `chat-${box.groupId}`;
  return (
    <section className={`chat-box ${box.collapsed ? 'collapsed' : 'open'}`} aria-labelledby={`${id}-title`} data-chat={name}>
      <div className="chat-bar">
        {!box.collapsed && (
          <button type="button" className="icon-btn only-mobile" onClick={() => realtime.closeBox(box.groupId)} aria-label={`Back from chat with ${name}`}>
            <IconBack />
          </button>
        )}
        {friend && !box.collapsed && (
          <Link to={`/profile/${friend.profileId}`} className="chat-bar-avatar" aria-label={`${name}’s profile`} title={`${name}’s profile`}>
            <Avatar username={name} size={26} />
          </Link>
        )}
        <button type="button" className="chat-bar-main" onClick={() => realtime.toggleBox(box.groupId)}
          aria-expanded={!box.collapsed} aria-controls={id} id={`${id}-title`}>
          <Dot on={online} /> <span className="grow ellipsis">{name}</span>
          <Badge n={box.unread} label="unread messages" />
          <IconChevron up={box.collapsed} />
          <span className="sr-only">{box.collapsed ? 'Open' : 'Minimize'} chat with {name}</span>
        </button>
        <button type="button" className="icon-btn chat-close" onClick={() => realtime.closeBox(box.groupId)} aria-label={`Close chat with ${name}`}>
          <IconClose />
        </button>
      </div>
      {!box.collapsed && (
        <div className="chat-body" id={id}>
          <Messages groupId={box.groupId} chat={chat} me={me} name={name} />
          {chat?.typing && (
            <p className="typing" aria-live="polite">{chat.typing.username} is typing<span className="ellipsis-anim" /></p>
          )}
          <Composer groupId={box.groupId} name={name} disabled={!friend} />
        </div>
      )}
    </section>
  );
}

function Messages({ groupId, chat, me, name }: { groupId: string; chat?: ChatState; me?: string; name: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const prev = useRef({ first: 0, last: 0, height: 0, pending: 0 });
  const msgs = chat?.messages ?? [];
  const first = msgs[0]?.seq ?? 0;
  const last = msgs[msgs.length - 1]?.seq ?? 0;
  const pending = chat?.pending.length ?? 0;

  // Keep the view at the bottom for new messages, and in place when older
  // ones are prepended.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const p = prev.current;
    if (p.first && first < p.first && last === p.last) el.scrollTop += el.scrollHeight - p.height;
    else if (last !== p.last || pending !== p.pending) el.scrollTop = el.scrollHeight;
    prev.current = { first, last, height: el.scrollHeight, pending };
  }, [first, last, pending]);

  const onScroll = () => {
    const el = ref.current;
    if (el && el.scrollTop < 40 && chat?.hasMore && !chat.loading) {
      prev.current.height = el.scrollHeight;
      void realtime.loadOlder(groupId);
    }
  };

  return (
    <div className="messages" ref={ref} onScroll={onScroll} role="log" aria-label={`Messages with ${name}`} tabIndex={0}>
      {chat?.loading && <p className="muted center">Loading messages…</p>}
      {chat?.error && <p className="form-error center">{chat.error}</p>}
      {chat?.loaded && !chat.loading && chat.hasMore && msgs.length > 0 && (
        <button type="button" className="link-btn center" onClick={() => void realtime.loadOlder(groupId)}>Load older messages</button>
      )}
      {chat?.loaded && msgs.length === 0 && pending === 0 && <p className="muted center">Say hello to {name}!</p>}
      {timeline(entries(msgs, chat?.pending ?? [], me), new Date()).map((item) => item.kind === 'day'
        ? <div key={item.key} className="day-sep"><span>{item.label}</span></div>
        : <Bubble key={item.key} item={item} mine={item.entry.from === me} name={name} groupId={groupId} />)}
    </div>
  );
}

/** A loaded message, or one of ours the server has not acknowledged yet. */
type Shown = { message: ChatMessage } | { pending: Pending };

function entries(msgs: ChatMessage[], pending: Pending[], me = ''): Entry<Shown>[] {
  return [
    ...msgs.map((m) => ({ key: `m${m.seq}`, from: m.fromProfileId, at: m.createdAt, value: { message: m } })),
    ...pending.map((p) => ({ key: `p${p.id}`, from: me, at: p.at, value: { pending: p } })),
  ];
}

function Bubble({ item, mine, name, groupId }: { item: Extract<TimelineItem<Shown>, { kind: 'message' }>; mine: boolean; name: string; groupId: string }) {
  const v = item.entry.value;
  const run = `${item.first ? ' first' : ''}${item.last ? ' last' : ''}`;
  if ('message' in v) {
    const m = v.message;
    return (
      <div className={`msg ${mine ? 'mine' : 'theirs'}${run}`} title={formatTime(m.createdAt, true)}>
        <span className="sr-only">{mine ? 'You' : name}: </span><span className="msg-text">{m.content}</span>
        <time className="msg-time" dateTime={m.createdAt}>{clockTime(m.createdAt)}</time>
      </div>
    );
  }
  const p = v.pending;
  return (
    <div className={`msg mine pending${run}${p.error ? ' failed' : ''}`}>
      <span className="msg-text">{p.content}</span>
      {p.error ? (
        <span className="msg-error">
          Not sent: {p.error}{' '}
          <button type="button" className="link-btn" onClick={() => realtime.retry(groupId, p.id)}>Retry</button>{' '}
          <button type="button" className="link-btn" onClick={() => realtime.discard(groupId, p.id)}>Discard</button>
        </span>
      ) : <span className="msg-time">Sending…</span>}
    </div>
  );
}

function Composer({ groupId, name, disabled }: { groupId: string; name: string; disabled: boolean }) {
  const [text, setText] = useState('');
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    realtime.send(groupId, text);
    setText('');
  };
  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor={`msg-${groupId}`} className="sr-only">Message to {name}</label>
      <input id={`msg-${groupId}`} value={text} maxLength={4096} autoComplete="off" disabled={disabled}
        placeholder={disabled ? 'You are no longer friends' : 'Write a message…'}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim()) realtime.typing(groupId);
        }} />
      <button type="submit" className="icon-btn send" aria-label="Send message" disabled={disabled || !text.trim()}>
        <IconSend />
      </button>
    </form>
  );
}
