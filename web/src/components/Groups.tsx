// Group chats: making one from friends, and a group's settings (rename,
// add a friend, leave). The REST answers go to the realtime store at once;
// the group.* frames that follow say the same to every member.
import { useEffect, useState } from 'react';
import { api } from '../api';
import { realtime } from '../session';
import type { PrivateChat } from '../realtime/protocol';
import type { Group, RealtimeState } from '../realtime/store';
import { openAndFocus } from './Chat';

/** GROUP_NAME_MAX is the longest group name (characters). */
const GROUP_NAME_MAX = 64;

/** useAction runs one REST call at a time and keeps its error. */
function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Something went wrong');
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** NewGroup names a group and picks its members (at least two friends), then opens it. */
export function NewGroup({ friends, onDone }: { friends: PrivateChat[]; onDone: () => void }) {
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const action = useAction();
  const ok = name.trim().length > 0 && picked.size >= 2;
  const toggle = (id: string) => setPicked((s) => {
    const n = new Set(s);
    if (!n.delete(id)) n.add(id);
    return n;
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!ok) return;
    void action.run(async () => {
      const g = await api.createGroup(name.trim(), [...picked]);
      realtime.groupLoaded(g);
      onDone();
      openAndFocus(g.chatGroupId);
    });
  };
  return (
    <form className="group-form" onSubmit={submit} aria-label="New group chat">
      <label htmlFor="new-group-name">Group name</label>
      <input id="new-group-name" value={name} maxLength={GROUP_NAME_MAX} autoComplete="off" onChange={(e) => setName(e.target.value)} />
      <fieldset>
        <legend>Members <span className="muted small">(at least two friends)</span></legend>
        <ul className="pick-list">
          {friends.map((f) => (
            <li key={f.profileId} className="pick">
              <input type="checkbox" id={`pick-${f.profileId}`} checked={picked.has(f.profileId)} onChange={() => toggle(f.profileId)} />
              <label htmlFor={`pick-${f.profileId}`}>{f.username}</label>
            </li>
          ))}
        </ul>
      </fieldset>
      {action.error && <p className="form-error" role="alert">{action.error}</p>}
      <div className="row wrap">
        <button type="submit" className="btn btn-primary btn-small" disabled={!ok || action.busy}>Create group</button>
        <button type="button" className="btn btn-light btn-small" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}

/**
 * GroupSettings renames the group, adds one of our friends to it, or
 * leaves it; its creator may also remove members. It asks the group
 * (GET) when shown: who created it, and the names of all members.
 */
export function GroupSettings({ group, rt, onClose }: { group: Group; rt: RealtimeState; onClose: () => void }) {
  const [name, setName] = useState(group.name);
  const [adding, setAdding] = useState('');
  const [createdBy, setCreatedBy] = useState<string>();
  const action = useAction();
  const id = group.chatGroupId;
  useEffect(() => {
    let live = true;
    api.group(id).then((g) => {
      if (!live) return;
      setCreatedBy(g.createdBy);
      realtime.groupLoaded(g);
    }, () => {});
    return () => {
      live = false;
    };
  }, [id]);
  const creator = !!rt.me && createdBy === rt.me;
  const members = new Set(group.members.map((m) => m.profileId));
  const addable = rt.friends.filter((f) => !members.has(f.profileId));
  const rename = (e: React.FormEvent) => {
    e.preventDefault();
    if (name.trim() && name.trim() !== group.name) void action.run(async () => realtime.groupLoaded(await api.renameGroup(id, name.trim())));
  };
  const add = (e: React.FormEvent) => {
    e.preventDefault();
    if (adding) {
      void action.run(async () => {
        realtime.groupLoaded(await api.addGroupMember(id, adding));
        setAdding('');
      });
    }
  };
  const leave = () => {
    if (!rt.me || !window.confirm(`Leave ${group.name}? You will not see its new messages.`)) return;
    const me = rt.me;
    void action.run(async () => {
      await api.removeGroupMember(id, me);
      realtime.closeBox(id);
    });
  };
  return (
    <div className="group-settings" role="region" aria-label={`Settings of ${group.name}`}>
      <form className="row" onSubmit={rename}>
        <label htmlFor={`gname-${id}`} className="sr-only">Group name</label>
        <input id={`gname-${id}`} value={name} maxLength={GROUP_NAME_MAX} autoComplete="off" onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="btn btn-light btn-small" disabled={action.busy || !name.trim() || name.trim() === group.name}>Rename</button>
      </form>
      <p className="small members">
        <span className="muted">Members{creator ? ' (you made this group: you may remove them)' : ''}: </span>
        {!creator && group.members.map((m) => (m.profileId === rt.me ? 'you' : m.username || '…')).join(', ')}
      </p>
      {creator && (
        <ul className="member-list" aria-label="Members">
          {group.members.filter((m) => m.profileId !== rt.me).map((m) => (
            <li key={m.profileId} className="row">
              <span className="grow ellipsis small">{m.username || '…'}</span>
              <button type="button" className="link-btn small" disabled={action.busy} aria-label={`Remove ${m.username || 'this member'}`}
                onClick={() => void action.run(async () => api.removeGroupMember(id, m.profileId))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {addable.length > 0 && (
        <form className="row" onSubmit={add}>
          <label htmlFor={`gadd-${id}`} className="sr-only">Friend to add</label>
          <select id={`gadd-${id}`} value={adding} onChange={(e) => setAdding(e.target.value)} className="grow">
            <option value="">Add a friend…</option>
            {addable.map((f) => <option key={f.profileId} value={f.profileId}>{f.username}</option>)}
          </select>
          <button type="submit" className="btn btn-light btn-small" disabled={action.busy || !adding}>Add</button>
        </form>
      )}
      {action.error && <p className="form-error" role="alert">{action.error}</p>}
      <div className="row wrap">
        <button type="button" className="btn btn-light btn-small danger" onClick={leave} disabled={action.busy}>Leave group</button>
        <button type="button" className="link-btn" onClick={onClose}>Done</button>
      </div>
    </div>
  );
}
