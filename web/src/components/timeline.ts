// How a chat's messages are laid out, as pure functions (no DOM): day
// separators ("Today", "Yesterday", a date), runs of consecutive messages
// from one sender, and the short times of the conversation list.

/** One thing to show in a chat, in order: a sent or pending message. */
export interface Entry<T> {
  key: string;
  /** from is the sender's profile id. */
  from: string;
  /** at is when it was sent (ISO 8601). */
  at: string;
  value: T;
}

/** A line of the timeline: a day separator, or a message with its place in its run. */
export type TimelineItem<T> =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'message'; key: string; entry: Entry<T>; first: boolean; last: boolean };

/** RUN_GAP_MS: messages further apart than this start a new run even from the same sender. */
export const RUN_GAP_MS = 5 * 60_000;

const DAY_MS = 24 * 60 * 60_000;

/** startOfDay is local midnight of d's day. */
const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

/** daysAgo counts local calendar days from d to now (0 = today, 1 = yesterday). */
export const daysAgo = (d: Date, now: Date) => Math.round((startOfDay(now) - startOfDay(d)) / DAY_MS);

/** dayLabel names a day for a separator: "Today", "Yesterday", else a date (with the year when not this year). */
export function dayLabel(d: Date, now: Date, locale?: string): string {
  const ago = daysAgo(d, now);
  if (ago === 0) return 'Today';
  if (ago === 1) return 'Yesterday';
  return d.toLocaleDateString(locale, {
    weekday: 'short', day: 'numeric', month: 'short', year: d.getFullYear() === now.getFullYear() ? undefined : 'numeric',
  });
}

/** clockTime is the time of day, hours and minutes. */
export const clockTime = (iso: string, locale?: string) =>
  new Date(iso).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });

/** listTime is a conversation's time in the list: the time today, "Yesterday", else a short date. */
export function listTime(iso: string, now: Date, locale?: string): string {
  const d = new Date(iso);
  const ago = daysAgo(d, now);
  if (ago === 0) return clockTime(iso, locale);
  if (ago === 1) return 'Yesterday';
  return d.toLocaleDateString(locale, { day: 'numeric', month: 'short', year: d.getFullYear() === now.getFullYear() ? undefined : 'numeric' });
}

/**
 * timeline puts a day separator before the first entry of each day and
 * marks where runs begin and end: consecutive entries of one sender on one
 * day, at most RUN_GAP_MS apart.
 */
export function timeline<T>(entries: Entry<T>[], now: Date, locale?: string): TimelineItem<T>[] {
  const out: TimelineItem<T>[] = [];
  let prev: { entry: Entry<T>; item: Extract<TimelineItem<T>, { kind: 'message' }> } | undefined;
  for (const entry of entries) {
    const at = new Date(entry.at);
    const newDay = !prev || startOfDay(new Date(prev.entry.at)) !== startOfDay(at);
    if (newDay) out.push({ kind: 'day', key: `day-${startOfDay(at)}`, label: dayLabel(at, now, locale) });
    const joins = !!prev && !newDay && prev.entry.from === entry.from && at.getTime() - new Date(prev.entry.at).getTime() <= RUN_GAP_MS;
    if (prev && joins) prev.item.last = false;
    const item = { kind: 'message' as const, key: entry.key, entry, first: !joins, last: true };
    out.push(item);
    prev = { entry, item };
  }
  return out;
}
