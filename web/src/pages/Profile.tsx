// A profile's wall, and the single post page.
import { useEffect, useState } from 'react';
import { Link, Navigate, useNavigate, useParams } from 'react-router-dom';
import { ApiError, api, timeCursor } from '../api';
import { Avatar, Empty, ErrorBox, Spinner } from '../components/Common';
import { openAndFocus } from '../components/Chat';
import { PostCard, PostForm } from '../components/Posts';
import { useInfinite, usePaged, useValue } from '../hooks';
import { account$, realtime } from '../session';
import type { Post, Profile, Relationship } from '../types';

export function ProfilePage() {
  const { profileId } = useParams();
  const me = useValue(account$);
  if (!profileId) return me ? <Navigate to={`/profile/${me.id}`} replace /> : <Navigate to="/login" replace />;
  return <Wall key={profileId} profileId={profileId} />;
}

function Wall({ profileId }: { profileId: string }) {
  const me = useValue(account$);
  const [profile, setProfile] = useState<Profile>();
  const [error, setError] = useState<ApiError>();
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    setError(undefined);
    api.profile(profileId).then(setProfile, setError);
  }, [profileId, reloads]);
  const posts = usePaged<Post>(`${profileId}/${reloads}`, (last) => api.wallPosts(profileId, timeCursor(last)), 10);
  const sentinel = useInfinite(posts.more, !posts.done && !posts.loading && !posts.error);

  if (error?.status === 404 || error?.status === 422) return <NotFoundPage />;
  if (error) return <ErrorBox onRetry={() => setReloads((n) => n + 1)}>{error.message}</ErrorBox>;
  if (!profile) return <Spinner label="Loading profile…" />;
  const own = me?.id === profile.id;
  return (
    <>
      <ProfileHeader profile={profile} onChanged={() => setReloads((n) => n + 1)} />
      {own && <PostForm onPosted={(p) => posts.setItems((ps) => [p, ...ps])} />}
      {!own && me && <FriendWallForm profile={profile} onPosted={(p) => posts.setItems((ps) => [p, ...ps])} />}
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

function FriendWallForm({ profile, onPosted }: { profile: Profile; onPosted: (p: Post) => void }) {
  const me = useValue(account$);
  const [rel, setRel] = useState<Relationship>();
  useEffect(() => {
    if (me) api.relationship(me.id, profile.id).then(setRel, () => setRel(undefined));
  }, [me, profile.id]);
  return rel === 'FRIEND' ? <PostForm wall={profile} onPosted={onPosted} /> : null;
}

function ProfileHeader({ profile, onChanged }: { profile: Profile; onChanged: () => void }) {
  const me = useValue(account$);
  const [rel, setRel] = useState<Relationship>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const load = () => {
    if (me && me.id !== profile.id) api.relationship(me.id, profile.id).then(setRel, () => setRel(undefined));
  };
  useEffect(load, [me, profile.id]);

  const act = async (fn: () => Promise<void>, full: boolean) => {
    if (!me) return;
    setBusy(true);
    setError('');
    try {
      await fn();
      if (full) onChanged();
      load();
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Something went wrong');
    } finally {
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
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void act(() => api.sendRequest(me.id, profile.id), false)}>Add friend</button>
          )}
          {other && rel === 'FRIEND' && (
            <>
              <button type="button" className="btn btn-primary" onClick={() => {
                const chat = realtime.friendByProfile(profile.id);
                if (chat) openAndFocus(chat.chatGroupId);
              }}>Message</button>
              <button type="button" className="btn btn-light" disabled={busy} onClick={() => void act(() => api.unfriend(me.id, profile.id), true)}>Remove friend</button>
            </>
          )}
          {other && rel === 'INCOMING_FRIEND_REQUEST' && (
            <>
              <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void act(() => api.acceptRequest(me.id, profile.id), true)}>Accept friend request</button>
              <button type="button" className="btn btn-light" disabled={busy} onClick={() => void act(() => api.rejectRequest(me.id, profile.id), false)}>Reject friend request</button>
            </>
          )}
          {other && rel === 'OUTGOING_FRIEND_REQUEST' && (
            <button type="button" className="btn btn-light" disabled={busy} onClick={() => void act(() => api.cancelRequest(me.id, profile.id), false)}>Cancel friend request</button>
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
