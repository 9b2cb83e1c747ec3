// Posts: the publish form, a post card with its comments.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, timeCursor } from '../api';
import { useValue } from '../hooks';
import { account$ } from '../session';
import type { Comment, Post, Privacy } from '../types';
import { Avatar, formatTime } from './Common';
import { IconClose, IconGlobe, IconHeart, IconPeople } from './Icons';

const COMMENTS_PAGE = 5;

/** PostForm publishes a post on a wall (own wall when wall is undefined). */
export function PostForm({ wall, onPosted }: { wall?: { id: string; username: string }; onPosted: (p: Post) => void }) {
  const me = useValue(account$);
  const [content, setContent] = useState('');
  const [privacy, setPrivacy] = useState<Privacy>('PUBLIC');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  if (!me) return null;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!content.trim()) return;
    setBusy(true);
    setError('');
    try {
      const p = await api.createPost(content, privacy, wall?.id);
      onPosted({ ...p, username: me.username });
      setContent('');
    } catch {
      setError('Something went wrong while publishing this post');
    } finally {
      setBusy(false);
    }
  };
  const label = wall ? `Write something on ${wall.username}'s wall...` : 'What are you thinking about?';
  return (
    <form className="card post-form" onSubmit={submit}>
      <label htmlFor="post-content" className="sr-only">{label}</label>
      <textarea id="post-content" placeholder={label} value={content} maxLength={4096} rows={3}
        onChange={(e) => setContent(e.target.value)} />
      <div className="row">
        <label htmlFor="post-privacy" className="sr-only">Who can see it</label>
        <select id="post-privacy" value={privacy} onChange={(e) => setPrivacy(e.target.value as Privacy)}>
          <option value="PUBLIC">Public</option>
          <option value="FRIENDS">Friends only</option>
        </select>
        <span className="grow" />
        <button type="submit" className="btn btn-primary" disabled={busy || !content.trim()}>
          {busy ? 'Publishing…' : 'Publish'}
        </button>
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
    </form>
  );
}

/** PostCard shows a post with its comments. */
export function PostCard({ post, onDeleted, autoComments = false }: { post: Post; onDeleted: () => void; autoComments?: boolean }) {
  const me = useValue(account$);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState('');
  const canDelete = !!me && (me.id === post.profileId || me.id === post.wallProfileId);
  const del = async () => {
    if (!window.confirm('Do you really want to delete this post and all its comments?')) return;
    setDeleting(true);
    try {
      await api.deletePost(post.id);
      onDeleted();
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not delete the post');
      setDeleting(false);
    }
  };
  return (
    <article className="card post" aria-label={`Post by ${post.username}`}>
      <header className="post-head">
        <Link to={`/profile/${post.profileId}`} tabIndex={-1} aria-hidden="true"><Avatar username={post.username} size={48} /></Link>
        <div className="grow">
          <Link to={`/profile/${post.profileId}`} className="strong">{post.username}</Link>
          <div className="muted small">
            <span className="privacy">
              {post.privacy === 'PUBLIC' ? <IconGlobe /> : <IconPeople />}
              {post.privacy === 'PUBLIC' ? 'Public' : 'Friends only'}
            </span>
            <span aria-hidden="true"> · </span>
            <Link to={`/post/${post.id}`} className="muted">{formatTime(post.createdAt, true)}</Link>
          </div>
        </div>
        {canDelete && (
          <button type="button" className="icon-btn" onClick={() => void del()} disabled={deleting} aria-label="Delete post">
            <IconClose />
          </button>
        )}
      </header>
      <p className="post-content">{post.content}</p>
      <LikeButton what="post" liked={post.likedByMe} count={post.likesCount} disabled={!me}
        toggle={async (on) => {
          await api.setPostLike(post.id, on);
          const p = await api.post(post.id); // others' likes too
          return { liked: p.likedByMe, count: p.likesCount };
        }} />
      {error && <p className="form-error" role="alert">{error}</p>}
      <Comments post={post} auto={autoComments} />
    </article>
  );
}

/**
 * LikeButton toggles a like at once (optimistic) and reconciles with the
 * server: toggle's answer, when it gives one, replaces the shown state; a
 * failure puts the old one back. One request at a time, so the last click
 * is the server's state.
 */
export function LikeButton({ what, liked, count, disabled, toggle }: {
  what: string; liked: boolean; count: number; disabled: boolean;
  toggle: (on: boolean) => Promise<{ liked: boolean; count: number } | void>;
}) {
  const [state, setState] = useState({ liked, count });
  const [busy, setBusy] = useState(false);
  const click = async () => {
    const before = state;
    const on = !before.liked;
    setState({ liked: on, count: Math.max(0, before.count + (on ? 1 : -1)) });
    setBusy(true);
    try {
      const server = await toggle(on);
      if (server) setState(server);
    } catch {
      setState(before);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" className={`like-btn ${state.liked ? 'liked' : ''}`} aria-pressed={state.liked}
      aria-label={`Like ${what}, ${state.count} ${state.count === 1 ? 'like' : 'likes'}`}
      onClick={() => void click()} disabled={disabled || busy}>
      <IconHeart filled={state.liked} /> <span className="like-count">{state.count}</span>
    </button>
  );
}

function Comments({ post, auto }: { post: Post; auto: boolean }) {
  const me = useValue(account$);
  const [comments, setComments] = useState<Comment[]>([]); // oldest first
  const [count, setCount] = useState(post.commentsCount);
  const [shown, setShown] = useState(false);
  const [more, setMore] = useState(true);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState('');
  const [text, setText] = useState('');
  const [autoDone, setAutoDone] = useState(false);

  const load = async () => {
    setLoading(true);
    setError('');
    try {
      const page = await api.comments(post.id, timeCursor(comments[0]), COMMENTS_PAGE);
      setComments((c) => [...[...page].reverse().filter((x) => !c.some((y) => y.id === x.id)), ...c]);
      setMore(page.length === COMMENTS_PAGE);
      setShown(true);
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not load comments');
    } finally {
      setLoading(false);
    }
  };
  if (auto && !autoDone && count > 0) {
    setAutoDone(true);
    void load();
  }

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    try {
      const c = await api.createComment(post.id, text);
      setComments((cs) => [...cs, c]);
      setCount((n) => n + 1);
      setText('');
      setError('');
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not add the comment');
    }
  };

  // Comments not shown yet: the count, less the ones shown (one's own new
  // comments are shown at once, without loading the others).
  const hidden = count - comments.length;
  return (
    <div className="comments">
      {hidden > 0 && comments.length === 0 && !shown && (
        <button type="button" className="link-btn" onClick={() => void load()} disabled={loading}>
          {loading ? 'Loading comments…' : `Comments: ${count}`}
        </button>
      )}
      {hidden > 0 && comments.length > 0 && (!shown || more) && (
        <button type="button" className="link-btn" onClick={() => void load()} disabled={loading}>
          {loading ? 'Loading…' : 'Load more comments...'}
        </button>
      )}
      {comments.length > 0 && (
        <ul className="comment-list">
          {comments.map((c) => (
            <li key={c.id} className="comment">
              <Avatar username={c.username} size={32} />
              <div className="comment-body">
                <Link to={`/profile/${c.profileId}`} className="strong">{c.username}</Link>{' '}
                <span className="muted small">{formatTime(c.createdAt)}</span>
                <div className="comment-content">{c.content}</div>
                <LikeButton what="comment" liked={c.likedByMe} count={c.likesCount} disabled={!me}
                  toggle={async (on) => { await api.setCommentLike(post.id, c.id, on); }} />
              </div>
            </li>
          ))}
        </ul>
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
      {me && (
        <form onSubmit={submit} className="comment-form">
          <label htmlFor={`comment-${post.id}`} className="sr-only">Add a comment</label>
          <input id={`comment-${post.id}`} placeholder="Add a comment..." value={text} maxLength={1024}
            onChange={(e) => setText(e.target.value)} autoComplete="off" />
        </form>
      )}
    </div>
  );
}
