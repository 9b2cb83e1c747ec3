import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { BehaviorSubject, Observable } from 'rxjs';

/** useValue subscribes to a BehaviorSubject. */
export function useValue<T>(subject: BehaviorSubject<T>): T {
  const subscribe = useCallback(
    (cb: () => void) => {
      const s = subject.subscribe(cb);
      return () => s.unsubscribe();
    },
    [subject],
  );
  return useSyncExternalStore(subscribe, () => subject.value);
}

/** useEvents calls fn for every value of an observable while mounted. */
export function useEvents<T>(obs: Observable<T>, fn: (v: T) => void) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const s = obs.subscribe((v) => ref.current(v));
    return () => s.unsubscribe();
  }, [obs]);
}

/** PHONE is the layout breakpoint (as in style.css): below it, chat moves to its own page. */
export const PHONE = '(max-width: 768px)';

/** useMedia tracks a CSS media query. */
export function useMedia(query: string): boolean {
  const [match, setMatch] = useState(() => typeof window !== 'undefined' && !!window.matchMedia?.(query).matches);
  useEffect(() => {
    const m = window.matchMedia?.(query);
    if (!m) return;
    const on = () => setMatch(m.matches);
    on();
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, [query]);
  return match;
}

export interface Paged<T> {
  items: T[];
  loading: boolean;
  error?: string;
  done: boolean;
  more: () => void;
  reload: () => void;
  setItems: (fn: (items: T[]) => T[]) => void;
}

/**
 * usePaged loads a cursor-paged list: fetch(last) returns the page after
 * the last item (undefined for the first page). key changes start over.
 */
export function usePaged<T>(key: string, fetch: (last: T | undefined) => Promise<T[]>, pageSize: number): Paged<T> {
  const [items, setItemsState] = useState<T[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const [gen, setGen] = useState(0);
  const state = useRef({ items: [] as T[], loading: false, done: false, gen: 0 });
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;

  const load = useCallback(async () => {
    const s = state.current;
    if (s.loading || s.done) return;
    const myGen = s.gen;
    s.loading = true;
    setLoading(true);
    setError(undefined);
    try {
      const page = await fetchRef.current(s.items[s.items.length - 1]);
      if (state.current.gen !== myGen) return;
      s.items = [...s.items, ...page];
      s.done = page.length < pageSize;
      setItemsState(s.items);
      setDone(s.done);
    } catch (e) {
      if (state.current.gen === myGen) setError(e instanceof Error ? e.message : 'Something went wrong');
    } finally {
      if (state.current.gen === myGen) {
        s.loading = false;
        setLoading(false);
      }
    }
  }, [pageSize]);

  useEffect(() => {
    state.current = { items: [], loading: false, done: false, gen: state.current.gen + 1 };
    setItemsState([]);
    setDone(false);
    setError(undefined);
    void load();
  }, [key, gen, load]);

  const setItems = useCallback((fn: (items: T[]) => T[]) => {
    state.current.items = fn(state.current.items);
    setItemsState(state.current.items);
  }, []);

  return { items, loading, error, done, more: load, reload: () => setGen((g) => g + 1), setItems };
}

/** useInfinite calls onVisible when the returned element scrolls into view. */
export function useInfinite(onVisible: () => void, enabled: boolean) {
  const ref = useRef<HTMLDivElement>(null);
  const cb = useRef(onVisible);
  cb.current = onVisible;
  useEffect(() => {
    const el = ref.current;
    if (!el || !enabled || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((es) => es.some((e) => e.isIntersecting) && cb.current(), { rootMargin: '0px 0px 75% 0px' });
    io.observe(el);
    return () => io.disconnect();
  }, [enabled]);
  return ref;
}
