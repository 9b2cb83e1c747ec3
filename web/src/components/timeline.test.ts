import { describe, expect, it } from 'vitest';
import { dayLabel, listTime, RUN_GAP_MS, timeline, type Entry } from './timeline';

// Local times, so the tests hold in any time zone.
const NOW = new Date(2026, 11, 2, 15, 30);
const at = (y: number, mo: number, d: number, h: number, mi = 0, s = 0) => new Date(y, mo, d, h, mi, s).toISOString();
const entry = (key: string, from: string, when: string): Entry<string> => ({ key, from, at: when, value: key });

/** shape writes a timeline as text: "[day]" for separators, key(first/last flags) for messages. */
const shape = (es: Entry<string>[]) =>
  timeline(es, NOW, 'en-GB').map((i) => (i.kind === 'day' ? `[${i.label}]` : `${i.key}${i.first ? '<' : ''}${i.last ? '>' : ''}`));

describe('dayLabel', () => {
  it.each([
    [new Date(2026, 11, 2, 0, 0), 'Today'],
    [new Date(2026, 11, 2, 23, 59), 'Today'],
    [new Date(2026, 11, 1, 23, 59), 'Yesterday'],
    [new Date(2026, 11, 1, 0, 0), 'Yesterday'],
    [new Date(2026, 10, 30, 12, 0), 'Mon 30 Nov'],
    [new Date(2025, 11, 31, 12, 0), 'Wed, 31 Dec 2025'],
  ])('%s', (d, want) => {
    expect(dayLabel(d, NOW, 'en-GB')).toBe(want);
  });

  it('counts calendar days, not 24-hour spans', () => {
    expect(dayLabel(new Date(2026, 11, 1, 23, 0), new Date(2026, 11, 2, 0, 30), 'en-GB')).toBe('Yesterday');
    expect(dayLabel(new Date(2026, 0, 1, 8, 0), new Date(2026, 0, 2, 8, 0), 'en-GB')).toBe('Yesterday');
  });
});

describe('listTime', () => {
  it.each([
    [at(2026, 11, 2, 9, 5), '09:05'],
    [at(2026, 11, 1, 22, 0), 'Yesterday'],
    [at(2026, 10, 28, 9, 0), '28 Nov'],
    [at(2024, 1, 29, 9, 0), '29 Feb 2024'],
  ])('%s', (iso, want) => {
    expect(listTime(iso, NOW, 'en-GB')).toBe(want);
  });
});

describe('timeline', () => {
  it('is empty for no messages', () => {
    expect(timeline([], NOW)).toEqual([]);
  });

  it('puts a separator before the first message of each day', () => {
    expect(shape([
      entry('a', 'amy', at(2026, 10, 30, 23, 58)),
      entry('b', 'amy', at(2026, 11, 1, 0, 1)), // three minutes later, but the next day
      entry('c', 'bob', at(2026, 11, 2, 9, 0)),
    ])).toEqual(['[Mon 30 Nov]', 'a<>', '[Yesterday]', 'b<>', '[Today]', 'c<>']);
  });

  it('runs consecutive messages of one sender together', () => {
    expect(shape([
      entry('a', 'amy', at(2026, 11, 2, 9, 0)),
      entry('b', 'amy', at(2026, 11, 2, 9, 1)),
      entry('c', 'amy', at(2026, 11, 2, 9, 2)),
      entry('d', 'bob', at(2026, 11, 2, 9, 3)),
      entry('e', 'amy', at(2026, 11, 2, 9, 4)),
      entry('f', 'amy', at(2026, 11, 2, 9, 4)),
    ])).toEqual(['[Today]', 'a<', 'b', 'c>', 'd<>', 'e<', 'f>']);
  });

  it('starts a new run after a pause of more than RUN_GAP_MS', () => {
    const t0 = new Date(2026, 11, 2, 9, 0).getTime();
    const iso = (ms: number) => new Date(t0 + ms).toISOString();
    expect(shape([
      entry('a', 'amy', iso(0)),
      entry('b', 'amy', iso(RUN_GAP_MS)), // exactly the gap: same run
      entry('c', 'amy', iso(2 * RUN_GAP_MS + 1)),
    ])).toEqual(['[Today]', 'a<', 'b>', 'c<>']);
  });

  it('keeps the entries and their values', () => {
    const es = [entry('a', 'amy', at(2026, 11, 2, 9, 0))];
    const items = timeline(es, NOW);
    expect(items[1]).toMatchObject({ kind: 'message', key: 'a', entry: es[0] });
  });
});
