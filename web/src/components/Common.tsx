// Small shared pieces: avatars, status messages, buttons that load more.
import type { ReactNode } from 'react';
import { avatarUrl } from '../api';

export function Avatar({ username, size = 32 }: { username: string; size?: number }) {
  return <img className="avatar" src={avatarUrl(username)} width={size} height={size} alt="" loading="lazy" />;
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="status" role="status">
      <span className="spinner" aria-hidden="true" /> {label}
    </div>
  );
}

export function ErrorBox({ children, onRetry }: { children: ReactNode; onRetry?: () => void }) {
  return (
    <div className="error-box" role="alert">
      <span>{children}</span>
      {onRetry && <button type="button" className="btn btn-small" onClick={onRetry}>Try again</button>}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** Badge is a red counter; it renders nothing for 0. */
export function Badge({ n, label }: { n: number; label: string }) {
  if (n <= 0) return null;
  return <span className="badge" aria-label={`${n} ${label}`}>{n > 99 ? '99+' : n}</span>;
}

/** formatTime shows a time only for today, else date and time. */
export function formatTime(iso: string, alwaysDate = false): string {
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return today && !alwaysDate ? time : `${d.toLocaleDateString()} ${time}`;
}
