// Profile search in the navbar: a combobox with up to 5 results.
import { useEffect, useId, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../api';
import { PHONE, useMedia } from '../hooks';
import type { Profile } from '../types';
import { Avatar } from './Common';
import { IconSearch } from './Icons';

const THROTTLE_MS = 750;

export function Search() {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<Profile[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [error, setError] = useState('');
  const navigate = useNavigate();
  const listId = useId();
  const lastQuery = useRef('');
  // On a phone the field is narrow: a short placeholder, not a cut one.
  const phone = useMedia(PHONE);

  const run = async (query: string) => {
    const t = query.trim();
    if (!t) {
      setResults([]);
      return;
    }
    lastQuery.current = t;
    try {
      const r = await api.searchProfiles(t);
      if (lastQuery.current === t) {
        setResults(r);
        setError('');
        setActive(-1);
      }
    } catch {
      setError('Search is not available right now');
    }
  };

  useEffect(() => {
    const t = setTimeout(() => void run(q), THROTTLE_MS);
    return () => clearTimeout(t);
  }, [q]);

  const choose = (p: Profile) => {
    navigate(`/profile/${p.id}`);
    setQ('');
    setResults([]);
    setOpen(false);
  };

  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(results.length - 1, a + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (e.key === 'Enter') {
      const p = results[active >= 0 ? active : 0];
      if (p) {
        e.preventDefault();
        choose(p);
      }
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };

  const show = open && q.trim() !== '' && (results.length > 0 || error !== '');
  return (
    <div className="search">
      <label htmlFor={`${listId}-input`} className="sr-only">Search bunnies</label>
      <span className="search-icon"><IconSearch /></span>
      <input
        id={`${listId}-input`}
        type="search"
        role="combobox"
        aria-expanded={show}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
        placeholder={phone ? 'Search' : 'Search bunnies…'}
        value={q}
        autoComplete="off"
        onChange={(e) => {
          setQ(e.target.value);
          setOpen(true);
        }}
        onFocus={() => {
          setOpen(true);
          void run(q);
        }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKey}
      />
      {show && (
        <ul className="search-results" id={listId} role="listbox" aria-label="Search results">
          {error && <li className="search-error">{error}</li>}
          {results.map((p, i) => (
            <li
              key={p.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(p);
              }}
            >
              <Avatar username={p.username} /> {p.username}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
