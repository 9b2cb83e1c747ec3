// Chat UI: the chat panel (group chats, friends with online dots, "New group") and the dock of chat boxes.
import { useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { PHONE, useMedia, useValue } from '../hooks';
import { realtime } from '../session';
import type { Box, ChatState, Group, RealtimeState } from '../realtime/store';
import type { PrivateChat } from '../realtime/protocol';
import { Messages, typingText } from './ChatMessages';
import { Avatar, Badge } from './Common';
import { GroupSettings, NewGroup } from './Groups';
import { IconBack, IconChevron, IconClose, IconPeople, IconSend } from './Icons';

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

/** ChatPanel lists the group chats and every friend; a click opens a chat box. "New group" makes a group of friends. */
export function ChatPanel() {
  const rt = useValue(realtime.state$);
  const [creating, setCreating] = useState(false);
  const friends = sortFriends(rt.friends, rt.online);
  const groups = [...rt.groups].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <section className="card chat-panel" aria-labelledby="chat-panel-title">
      <div className="row">
        <h2 id="chat-panel-title" className="card-title grow">Chat</h2>
        {friends.length >= 2 && !creating && (
          <button type="button" className="btn btn-light btn-small" onClick={() => setCreating(true)}>New group</button>
        )}
      </div>
      {creating && <NewGroup friends={friends} onDone={() => setCreating(false)} />}
      {rt.status === 'connecting' && rt.friends.length === 0 && <p className="muted">Connecting…</p>}
      {rt.status !== 'connecting' && friends.length === 0 && groups.length === 0 && <p className="muted">No friends yet: add some to chat with them.</p>}
      {groups.length > 0 && (
        <ul className="friend-list group-list" aria-label="Group chats">
          {groups.map((g) => {
            const unread = rt.unreadConversations.has(g.chatGroupId);
            return (
              <li key={g.chatGroupId}>
                <button type="button" className="friend-row" onClick={() => openAndFocus(g.chatGroupId)}
                  aria-label={`Group chat ${g.name} (${g.members.length} members${unread ? ', unread messages' : ''})`}>
                  <GroupAvatars group={g} me={rt.me} /> <span className="grow ellipsis">{g.name}</span>
                  {unread && <span className="unread-dot" aria-hidden="true" />}
                </button>
              </li>
            );
          })}
        </ul>
      )}
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

/** GroupAvatars stacks the avatars of up to three other members. */
export function GroupAvatars({ group, me, size = 26 }: { group: Group; me?: string; size?: number }) {
  const others = group.members.filter((m) => m.profileId !== me && m.username).slice(0, 3);
  if (others.length === 0) return <span className="group-avatars" aria-hidden="true"><IconPeople size={size * 0.7} /></span>;
  return (
    <span className="group-avatars" aria-hidden="true">
      {others.map((m) => <Avatar key={m.profileId} username={m.username} size={size} />)}
    </span>
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
      {boxes.map((b) => <ChatBox key={b.groupId} box={b} rt={rt} />)}
    </div>
  );
}

function ChatBox({ box, rt }: { box: Box; rt: RealtimeState }) {
  const [settings, setSettings] = useState(false);
  const friend = rt.friends.find((f) => f.chatGroupId === box.groupId);
  const group = rt.groups.find((g) => g.chatGroupId === box.groupId);
  const chat: ChatState | undefined = rt.chats[box.groupId];
  const name = group?.name ?? friend?.username ?? 'Former friend';
  const what = group ? `group chat ${name}` : `chat with ${name}`;
  const id = `chat-${box.groupId}`;
  const typing = chat?.typing?.map((t) => t.username);
  return (
    <section className={`chat-box ${box.collapsed ? 'collapsed' : 'open'}`} aria-labelledby={`${id}-title`} data-chat={name}>
      <div className="chat-bar">
        {!box.collapsed && (
          <button type="button" className="icon-btn only-mobile" onClick={() => realtime.closeBox(box.groupId)} aria-label={`Back from ${what}`}>
            <IconBack />
          </button>
        )}
        {friend && !box.collapsed && (
          <Link to={`/profile/${friend.profileId}`} className="chat-bar-avatar" aria-label={`${name}’s profile`} title={`${name}’s profile`}>
            <Avatar username={name} size={26} />
          </Link>
        )}
        {group && !box.collapsed && <span className="chat-bar-avatar"><GroupAvatars group={group} me={rt.me} size={22} /></span>}
        <button type="button" className="chat-bar-main" onClick={() => realtime.toggleBox(box.groupId)}
          aria-expanded={!box.collapsed} aria-controls={id} id={`${id}-title`}>
          {!group && <Dot on={!!friend && rt.online.has(friend.profileId)} />} <span className="grow ellipsis">{name}</span>
          <Badge n={box.unread} label="unread messages" />
          <IconChevron up={box.collapsed} />
          <span className="sr-only">{box.collapsed ? 'Open' : 'Minimize'} {what}</span>
        </button>
        {group && !box.collapsed && (
          <button type="button" className="icon-btn" onClick={() => setSettings(!settings)} aria-expanded={settings}
            aria-label={`Settings of group chat ${name}`} title="Group settings">
            <IconPeople size={18} />
          </button>
        )}
        <button type="button" className="icon-btn chat-close" onClick={() => realtime.closeBox(box.groupId)} aria-label={`Close ${what}`}>
          <IconClose />
        </button>
      </div>
      {!box.collapsed && (
        <div className="chat-body" id={id}>
          {group && settings && <GroupSettings group={group} rt={rt} onClose={() => setSettings(false)} />}
          <Messages view={{ groupId: box.groupId, name, members: group?.members, names: rt.names }} chat={chat} me={rt.me} readSeqs={rt.readSeqs[box.groupId] ?? {}} />
          {typing && <p className="typing" aria-live="polite">{typingText(typing)}<span className="ellipsis-anim" /></p>}
          <Composer groupId={box.groupId} name={name} disabled={!friend && !group} />
        </div>
      )}
    </section>
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
        placeholder={disabled ? 'You can no longer write here' : 'Write a message…'}
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
