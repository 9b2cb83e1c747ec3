// A profile's wall, and the single post page.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, Navigate, useNavigate, useParams } from 'react-router-dom';
import { ApiError, api, timeCursor } from '../api';
import { Avatar, Empty, ErrorBox, Spinner } from '../components/Common';
import { openAndFocus } from '../components/Chat';
import { PostCard, PostForm } from '../components/Posts';
import { useEvents, useInfinite, usePaged, useValue } from '../hooks';
import { account$, realtime } from '../session';
import type { Post, Profile, Relationship } from '../types';

export function ProfilePage() {
  const { profileId } = useParams();
  const me = useValue(account$);
  if (!profileId) return me ? <Navigate to={`/profile/${me.id}`} replace /> : <Navigate to="/login" replace />;
  return <Wall key={profileId} profileId={profileId} />;
}

/**
 * useRelationship is how the signed-in user relates to a profile: asked
 * once, then kept up to date by the realtime events (a friendship begins or
 * ends, a friend request arrives), so the buttons never offer something
 * that no longer fits. reload asks the server again.
 */
function useRelationship(profileId: string): { rel?: Relationship; reload: () => void } {
  const me = useValue(account$);
  const myId = me?.id;
  const [rel, setRel] = useState<Relationship>();
  // Bumped by every change we learn of, so that an older answer does not overwrite a newer event.
  const version = useRef(0);
  const reload = useCallback(() => {
    if (!myId) return setRel(undefined);
    if (myId === profileId) return setRel('SELF');
    const v = ++version.current;
    api.relationship(myId, profileId).then(
      (r) => version.current === v && setRel(r),
      () => version.current === v && setRel(undefined),
    );
  }, [myId, profileId]);
  useEffect(reload, [reload]);
  const set = (r: Relationship) => {
    version.current++;
    setRel(r);
  };
  useEvents(realtime.friendships$, (c) => {
    if (c.profileId === profileId && myId !== profileId) set(c.friend ? 'FRIEND' : 'NONE');
  });
  useEvents(realtime.notifications$, (n) => {
    if (n.data.event === 'NEW_FRIENDSHIP_REQUEST' && n.data.payload.byId === profileId) set('INCOMING_FRIEND_REQUEST');
  });
  return { rel, reload };
}

function Wall({ profileId }: { profileId: string }) {
  const me = useValue(account$);
  const [profile, setProfile] = useState<Profile>();
  const [error, setError] = useState<ApiError>();
  const [reloads, setReloads] = useState(0);
  const { rel, reload: reloadRel } = useRelationship(profileId);
  useEffect(() => {
    setError(undefined);
    api.profile(profileId).then(setProfile, setError);
  }, [profileId, reloads]);
  const posts = usePaged<Post>(`${profileId}/${reloads}`, (last) => api.wallPosts(profileId, timeCursor(last)), 10);
  const sentinel = useInfinite(posts.more, !posts.done && !posts.loading && !posts.error);
  // Friends-only posts come and go with the friendship: load the wall again when it begins or ends.
  const wasFriend = useRef<boolean>(undefined);
  useEffect(() => {
    if (rel === undefined) return;
    const friend = rel === 'FRIEND';
    if (wasFriend.current !== undefined && wasFriend.current !== friend) setReloads((n) => n + 1);
    wasFriend.current = friend;
  }, [rel]);

  if (error?.status === 404 || error?.status === 422) return <NotFoundPage />;
  if (error) return <ErrorBox onRetry={() => setReloads((n) => n + 1)}>{error.message}</ErrorBox>;
  if (!profile) return <Spinner label="Loading profile…" />;
  const own = me?.id === profile.id;
  return (
    <>
      <ProfileHeader profile={profile} rel={rel} reloadRel={reloadRel} />
      {own && <PostForm onPosted={(p) => posts.setItems((ps) => [p, ...ps])} />}
      {!own && me && rel === 'FRIEND' && <PostForm wall={profile} onPosted={(p) => posts.setItems((ps) => [p, ...ps])} />}
      <section aria-label={`${profile.username}'s posts`}>
        {posts.items.map((p) => (
          <PostCard key={p.id} post={p} onDeleted={() => posts.setItems((ps) => ps.filter((x) => x.id !== p.id))} />
        ))}
        {posts.loading && <Spinner label="Loading posts…" />}
        {posts.error && <ErrorBox onRetry={posts.more}>{posts.error}</ErrorBox>}
        {posts.done && posts.items.length === 0 && <Empty>No posts yet.</Empty>}
        {!posts.done && !posts.loading && !posts.error && (
          <button type="button" className="btn btn-light wide" onClick={posts.more}>Load more posts</button>
        )}
        <div ref={sentinel} />
      </section>
    </>
  );
}

function ProfileHeader({ profile, rel, reloadRel }: { profile: Profile; rel?: Relationship; reloadRel: () => void }) {
  const me = useValue(account$);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const act = async (fn: () => Promise<void>) => {
    if (!me) return;
    setBusy(true);
    setError('');
    try {
      await fn();
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Something went wrong');
    } finally {
      // Whether it worked or not (the other side may have acted first), show where things stand now.
      reloadRel();
      setBusy(false);
    }
  };
  const other = me && me.id !== profile.id;
  return (
    <section className="card profile-head" aria-labelledby="profile-name">
      <Avatar username={profile.username} size={128} />
      <div className="grow">
        <h1 id="profile-name">{profile.username}</h1>
        <div className="row wrap">
          {other && rel === 'NONE' && (
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void act(() => api.sendRequest(me.id, profile.id))}>Add friend</button>
          )}
          {other && rel === 'FRIEND' && (
            <>
              <button type="button" className="btn btn-primary" onClick={() => {
                const chat = realtime.friendByProfile(profile.id);
                if (chat) openAndFocus(chat.chatGroupId);
              }}>Message</button>
              <button type="button" className="btn btn-light" disabled={busy} onClick={() => void act(() => api.unfriend(me.id, profile.id))}>Remove friend</button>
            </>
          )}
          {other && rel === 'INCOMING_FRIEND_REQUEST' && (
            <>
              <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void act(() => api.acceptRequest(me.id, profile.id))}>Accept friend request</button>
              <button type="button" className="btn btn-light" disabled={busy} onClick={() => void act(() => api.rejectRequest(me.id, profile.id))}>Reject friend request</button>
            </>
          )}
          {other && rel === 'OUTGOING_FRIEND_REQUEST' && (
            <button type="button" className="btn btn-light" disabled={busy} onClick={() => void act(() => api.cancelRequest(me.id, profile.id))}>Cancel friend request</button>
          )}
          <Link className="btn btn-light" to={`/profile/${profile.id}/friends`}>{me?.id === profile.id ? 'Your friends' : 'Friends'}</Link>
          {other && <Link className="btn btn-light" to={`/profile/${profile.id}/friends/MUTUAL_FRIENDS`}>Mutual friends</Link>}
        </div>
        {error && <p className="form-error" role="alert">{error}</p>}
      </div>
    </section>
  );
}

export function PostPage() {
  const { postId = '' } = useParams();
  const [post, setPost] = useState<Post>();
  const [error, setError] = useState<ApiError>();
  const [deleted, setDeleted] = useState(false);
  const navigate = useNavigate();
  useEffect(() => {
    api.post(postId).then(setPost, setError);
  }, [postId]);
  if (error && (error.status === 404 || error.status === 403 || error.status === 422)) return <NotFoundPage />;
  if (error) return <ErrorBox onRetry={() => navigate(0)}>{error.message}</ErrorBox>;
  if (deleted) return <Empty>The post was deleted.</Empty>;
  if (!post) return <Spinner label="Loading post…" />;
  return <PostCard post={post} autoComments onDeleted={() => setDeleted(true)} />;
}

export function NotFoundPage() {
  return (
    <div className="card not-found">
      <h1>404</h1>
      <p>Tech bunnies couldn't find what you're looking for :(</p>
      <Link to="/" className="btn btn-primary">Go home</Link>
    </div>
  );
}
