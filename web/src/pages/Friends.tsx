// The friends page: friends, mutual friends, suggestions and requests.
import { useEffect, useState } from 'react';
import { Link, NavLink, useParams } from 'react-router-dom';
import { api } from '../api';
import { Avatar, Empty, ErrorBox, Spinner } from '../components/Common';
import { useInfinite, usePaged, useValue } from '../hooks';
import { account$ } from '../session';
import type { Account, Profile, Suggestion } from '../types';

export const SECTIONS = ['FRIENDS', 'MUTUAL_FRIENDS', 'FRIEND_SUGGESTIONS', 'INCOMING_FRIEND_REQUEST', 'OUTGOING_FRIEND_REQUEST'] as const;
type Section = (typeof SECTIONS)[number];

const PAGE = 20;

function fetcher(section: Section, profileId: string, me: Account | null | undefined) {
  return (last: Profile | undefined): Promise<Profile[]> => {
    const after = last?.username;
    switch (section) {
      case 'MUTUAL_FRIENDS':
        return me ? api.mutualFriends(me.id, profileId, after, PAGE) : Promise.resolve([]);
      case 'FRIEND_SUGGESTIONS':
        return me ? api.suggestions(me.id, last as Suggestion | undefined, PAGE) : Promise.resolve([]);
      case 'INCOMING_FRIEND_REQUEST':
        return me ? api.friendRequests(me.id, 'incoming', after, PAGE) : Promise.resolve([]);
      case 'OUTGOING_FRIEND_REQUEST':
        return me ? api.friendRequests(me.id, 'outgoing', after, PAGE) : Promise.resolve([]);
      default:
        return api.friends(profileId, after, PAGE);
    }
  };
}

export function FriendsPage() {
  const { profileId = '', section: raw } = useParams();
  const me = useValue(account$);
  const own = me?.id === profileId;
  let section: Section = SECTIONS.includes(raw as Section) ? (raw as Section) : 'FRIENDS';
  if (!me && section !== 'FRIENDS') section = 'FRIENDS';
  if (own && section === 'MUTUAL_FRIENDS') section = 'FRIENDS';
  if (!own && (section === 'FRIEND_SUGGESTIONS' || section.endsWith('REQUEST'))) section = 'FRIENDS';
  const [profile, setProfile] = useState<Profile>();
  useEffect(() => {
    api.profile(profileId).then(setProfile, () => setProfile(undefined));
  }, [profileId]);
  const list = usePaged<Profile>(`${profileId}/${section}/${me?.id}`, fetcher(section, profileId, me), PAGE);
  const sentinel = useInfinite(list.more, !list.done && !list.loading && !list.error);
  const base = `/profile/${profileId}/friends`;
  const name = profile?.username ?? '…';

  const titles: Record<Section, string> = {
    FRIENDS: own ? 'Your friends' : `${name}'s friends`,
    MUTUAL_FRIENDS: `Friends you share with ${name}`,
    FRIEND_SUGGESTIONS: 'Bunnies you may know',
    INCOMING_FRIEND_REQUEST: 'Incoming friend requests',
    OUTGOING_FRIEND_REQUEST: 'Outgoing friend requests',
  };
  return (
    <div className="friends-layout">
      <nav className="card side-menu" aria-label="Friend lists">
        <NavLink to={`${base}/FRIENDS`} className={section === 'FRIENDS' ? 'active' : ''}>{own ? 'Your friends' : 'Friends'}</NavLink>
        {me && !own && <NavLink to={`${base}/MUTUAL_FRIENDS`}>Mutual friends</NavLink>}
        {own && <NavLink to={`${base}/FRIEND_SUGGESTIONS`}>Bunnies you may know</NavLink>}
        {own && (
          <>
            <p className="menu-label">Requests</p>
            <NavLink to={`${base}/INCOMING_FRIEND_REQUEST`}>Incoming friend requests</NavLink>
            <NavLink to={`${base}/OUTGOING_FRIEND_REQUEST`}>Outgoing friend requests</NavLink>
          </>
        )}
      </nav>
      <section className="card grow" aria-labelledby="friends-title">
        <h1 id="friends-title" className="card-title">{titles[section]}</h1>
        {!own && <p><Link to={`/profile/${profileId}`}>← Back to {name}'s wall</Link></p>}
        <ul className="people">
          {list.items.map((p) => (
            <PersonRow key={p.id} p={p} section={own ? section : undefined} me={me}
              onDone={() => list.setItems((xs) => xs.filter((x) => x.id !== p.id))} />
          ))}
        </ul>
        {list.loading && <Spinner />}
        {list.error && <ErrorBox onRetry={list.more}>{list.error}</ErrorBox>}
        {list.done && list.items.length === 0 && <Empty>No results.</Empty>}
        {!list.done && !list.loading && !list.error && (
          <button type="button" className="btn btn-light wide" onClick={list.more}>Load more</button>
        )}
        <div ref={sentinel} />
      </section>
    </div>
  );
}

function PersonRow({ p, section, me, onDone }: { p: Profile; section?: Section; me: Account | null | undefined; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError('');
    try {
      await fn();
      onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Something went wrong');
      setBusy(false);
    }
  };
  const mutual = (p as Suggestion).mutualFriendsCount;
  return (
    <li className="person">
      <Avatar username={p.username} size={64} />
      <div className="grow">
        <Link to={`/profile/${p.id}`} className="strong">{p.username}</Link>
        {mutual !== undefined && <div className="muted small">{mutual} mutual friend{mutual === 1 ? '' : 's'}</div>}
        {error && <div className="form-error" role="alert">{error}</div>}
      </div>
      {me && section === 'FRIENDS' && (
        <button type="button" className="btn btn-light" disabled={busy} onClick={() => void act(() => api.unfriend(me.id, p.id))}
          aria-label={`Remove ${p.username} from friends`}>Remove</button>
      )}
      {me && section === 'FRIEND_SUGGESTIONS' && (
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void act(() => api.sendRequest(me.id, p.id))}
          aria-label={`Add ${p.username} as a friend`}>Add</button>
      )}
      {me && section === 'INCOMING_FRIEND_REQUEST' && (
        <div className="row">
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void act(() => api.acceptRequest(me.id, p.id))}
            aria-label={`Accept ${p.username}'s friend request`}>Accept</button>
          <button type="button" className="btn btn-light" disabled={busy} onClick={() => void act(() => api.rejectRequest(me.id, p.id))}
            aria-label={`Reject ${p.username}'s friend request`}>Reject</button>
        </div>
      )}
      {me && section === 'OUTGOING_FRIEND_REQUEST' && (
        <button type="button" className="btn btn-light" disabled={busy} onClick={() => void act(() => api.cancelRequest(me.id, p.id))}
          aria-label={`Cancel friend request to ${p.username}`}>Cancel</button>
      )}
    </li>
  );
}
