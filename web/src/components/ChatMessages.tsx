// A chat box's message list: day separators, runs of one sender (named in
// group chats), a time on every message, reactions with their picker and
// "Seen" marks. Laid out by the pure timeline (timeline.ts) and seenMarks.
import { useLayoutEffect, useRef, useState } from 'react';
import { realtime } from '../session';
import type { ChatState, Pending } from '../realtime/store';
import type { Member } from '../realtime/protocol';
import type { ChatMessage, Reactions } from '../types';
import { formatTime } from './Common';
import { clockTime, timeline, type Entry, type TimelineItem } from './timeline';

/** EMOJI are the reactions the picker offers. */
export const EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🥕'];

/** LONG_PRESS_MS is how long a finger rests on a message to open the reaction picker. */
const LONG_PRESS_MS = 450;

/**
 * seenMarks says under which message to show each other member's "Seen":
 * the newest loaded message at or below their read pointer, unless they
 * sent it themselves. It maps a message's seq to the profile ids.
 */
export function seenMarks(messages: ChatMessage[], readSeqs: Readonly<Record<string, number>>, me?: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const [profileId, seq] of Object.entries(readSeqs)) {
    if (profileId === me || seq <= 0) continue;
    let at: ChatMessage | undefined;
    for (const m of messages) if (m.seq <= seq) at = m;
    if (!at || at.fromProfileId === profileId) continue;
    out.set(at.seq, [...(out.get(at.seq) ?? []), profileId]);
  }
  return out;
}

/** typingText says who is typing: "amy is typing", "amy and bob are typing", "amy, bob and 2 others are typing". */
export function typingText(names: string[]): string {
  if (names.length === 1) return `${names[0]} is typing`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing`;
  const others = names.length - 2;
  return `${names[0]}, ${names[1]} and ${others} other${others === 1 ? '' : 's'} are typing`;
}

/** What a box needs to know of its chat to show its messages. */
export interface ChatView {
  groupId: string;
  /** name is the friend's username or the group's name. */
  name: string;
  /** members of a group chat (undefined for a private chat). */
  members?: Member[];
  /** names are the usernames known by profile id, former members' too. */
  names: Readonly<Record<string, string>>;
}

/** A loaded message, or one of ours the server has not acknowledged yet. */
type Shown = { message: ChatMessage } | { pending: Pending };

function entries(msgs: ChatMessage[], pending: Pending[], me = ''): Entry<Shown>[] {
  return [
    ...msgs.map((m) => ({ key: `m${m.seq}`, from: m.fromProfileId, at: m.createdAt, value: { message: m } })),
    ...pending.map((p) => ({ key: `p${p.id}`, from: me, at: p.at, value: { pending: p } })),
  ];
}

export function Messages({ view, chat, me, readSeqs }: { view: ChatView; chat?: ChatState; me?: string; readSeqs: Readonly<Record<string, number>> }) {
  const { groupId, name } = view;
  const ref = useRef<HTMLDivElement>(null);
  const prev = useRef({ first: 0, last: 0, height: 0, pending: 0 });
  const [picking, setPicking] = useState<string>();
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

  const nameOf = (id: string) => (view.members ? view.names[id] || 'Someone' : name);
  const seen = seenMarks(msgs, readSeqs, me);
  return (
    <div className="messages" ref={ref} onScroll={onScroll} role="log" aria-label={`Messages ${view.members ? 'in' : 'with'} ${name}`} tabIndex={0}>
      {chat?.loading && <p className="muted center">Loading messages…</p>}
      {chat?.error && <p className="form-error center">{chat.error}</p>}
      {chat?.loaded && !chat.loading && chat.hasMore && msgs.length > 0 && (
        <button type="button" className="link-btn center" onClick={() => void realtime.loadOlder(groupId)}>Load older messages</button>
      )}
      {chat?.loaded && msgs.length === 0 && pending === 0 && <p className="muted center">Say hello to {name}!</p>}
      {timeline(entries(msgs, chat?.pending ?? [], me), new Date()).map((item) => {
        if (item.kind === 'day') return <div key={item.key} className="day-sep"><span>{item.label}</span></div>;
        const v = item.entry.value;
        const mine = item.entry.from === me;
        if ('pending' in v) return <PendingBubble key={item.key} item={item} p={v.pending} groupId={groupId} />;
        const m = v.message;
        const marks = seen.get(m.seq);
        return (
          <MessageRow key={item.key} item={item} m={m} mine={mine} sender={nameOf(m.fromProfileId)} group={!!view.members}
            me={me} picking={picking === m.id} onPick={(on) => setPicking(on ? m.id : undefined)}
            seen={marks && (view.members ? `Seen by ${marks.map(nameOf).sort().join(', ')}` : 'Seen')} />
        );
      })}
      {chat?.notice && <p className="form-error center" role="alert">{chat.notice}</p>}
    </div>
  );
}

type MessageItem = Extract<TimelineItem<Shown>, { kind: 'message' }>;
const runClass = (item: MessageItem) => `${item.first ? ' first' : ''}${item.last ? ' last' : ''}`;

interface RowProps {
  item: MessageItem; m: ChatMessage; mine: boolean; sender: string; group: boolean; me?: string;
  picking: boolean; onPick: (on: boolean) => void; seen?: string;
}

function MessageRow({ item, m, mine, sender, group, me, picking, onPick, seen }: RowProps) {
  const press = useRef<ReturnType<typeof setTimeout>>(undefined);
  const release = () => clearTimeout(press.current);
  const react = (emoji: string) => {
    realtime.react(m.chatGroupId, m.id, emoji);
    onPick(false);
  };
  return (
    <div className={`msg-row ${mine ? 'mine' : 'theirs'}${runClass(item)}`}>
      {group && !mine && item.first && <span className="msg-sender">{sender}</span>}
      <div className="msg-line">
        {/* A finger resting on a message opens the picker (a mouse has the button beside it). */}
        <div className={`msg ${mine ? 'mine' : 'theirs'}${runClass(item)}`} title={formatTime(m.createdAt, true)}
          onPointerDown={(e) => {
            if (e.pointerType !== 'mouse') press.current = setTimeout(() => onPick(true), LONG_PRESS_MS);
          }}
          onPointerUp={release} onPointerCancel={release} onPointerLeave={release}
          onContextMenu={(e) => {
            if (picking) e.preventDefault();
          }}>
          <span className="sr-only">{mine ? 'You' : sender}: </span><span className="msg-text">{m.content}</span>
          <time className="msg-time" dateTime={m.createdAt}>{clockTime(m.createdAt)}</time>
        </div>
        <button type="button" className="react-btn" aria-label="React to this message" aria-expanded={picking} onClick={() => onPick(!picking)}>
          <span aria-hidden="true">☺</span>
        </button>
      </div>
      {picking && (
        <div className="picker" role="group" aria-label="Pick a reaction" onKeyDown={(e) => e.key === 'Escape' && onPick(false)}>
          {EMOJI.map((e) => (
            <button key={e} type="button" aria-label={`React with ${e}`} onClick={() => react(e)}>{e}</button>
          ))}
          <button type="button" className="picker-close" aria-label="Close the reactions" onClick={() => onPick(false)}>×</button>
        </div>
      )}
      <ReactionChips reactions={m.reactions} me={me} onToggle={react} />
      {seen && <span className="seen">{seen}</span>}
    </div>
  );
}

/** ReactionChips shows each emoji with its count; pressing one toggles ours. */
function ReactionChips({ reactions, me, onToggle }: { reactions?: Reactions; me?: string; onToggle: (emoji: string) => void }) {
  const list = Object.entries(reactions ?? {}).filter(([, who]) => who.length > 0);
  if (list.length === 0) return null;
  return (
    <div className="reactions">
      {list.map(([emoji, who]) => {
        const mine = !!me && who.includes(me);
        return (
          <button key={emoji} type="button" className={`reaction${mine ? ' mine' : ''}`} aria-pressed={mine} onClick={() => onToggle(emoji)}
            aria-label={`${emoji} ${who.length}${mine ? ', yours: remove it' : ': add yours'}`}>
            {emoji} <span>{who.length}</span>
          </button>
        );
      })}
    </div>
  );
}

function PendingBubble({ item, p, groupId }: { item: MessageItem; p: Pending; groupId: string }) {
  return (
    <div className={`msg-row mine${runClass(item)}`}>
      <div className={`msg mine pending${runClass(item)}${p.error ? ' failed' : ''}`}>
        <span className="msg-text">{p.content}</span>
        {p.error ? (
          <span className="msg-error">
            Not sent: {p.error}{' '}
            <button type="button" className="link-btn" onClick={() => realtime.retry(groupId, p.id)}>Retry</button>{' '}
            <button type="button" className="link-btn" onClick={() => realtime.discard(groupId, p.id)}>Discard</button>
          </span>
        ) : <span className="msg-time">Sending…</span>}
      </div>
    </div>
  );
}
