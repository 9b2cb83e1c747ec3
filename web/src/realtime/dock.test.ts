// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { clearUnread, closeBoxes, collapseBox, isOpen, openBox, receive, unreadOpenBoxes, type Box } from './dock';

const desktop = { compact: false }, phone = { compact: true };

describe('dock', () => {
  it('opens a box, or reopens a collapsed one with no unread messages', () => {
    let boxes = openBox([], 'a', desktop);
    expect(boxes).toEqual([{ groupId: 'a', collapsed: false, unread: 0 }]);
    boxes = openBox(collapseBox([...boxes, { groupId: 'b', collapsed: true, unread: 2 }], 'a'), 'b', desktop);
    expect(boxes).toEqual([{ groupId: 'a', collapsed: true, unread: 0 }, { groupId: 'b', collapsed: false, unread: 0 }]);
    expect(isOpen(boxes, 'b')).toBe(true);
    expect(isOpen(boxes, 'a')).toBe(false);
  });

  it('keeps one box open on a phone', () => {
    const boxes = openBox(openBox([], 'a', phone), 'b', phone);
    expect(boxes.map((b) => [b.groupId, b.collapsed])).toEqual([['a', true], ['b', false]]);
  });

  it('opens a box for a message from a chat without one: open and read on a desktop the user looks at', () => {
    expect(receive([], 'a', desktop, true)).toEqual({ boxes: [{ groupId: 'a', collapsed: false, unread: 0 }], created: true, read: true });
    expect(receive([], 'a', desktop, false)).toEqual({ boxes: [{ groupId: 'a', collapsed: false, unread: 1 }], created: true, read: false });
    expect(receive([], 'a', phone, true)).toEqual({ boxes: [{ groupId: 'a', collapsed: true, unread: 1 }], created: true, read: false });
  });

  it('counts a message unread in a collapsed box, or in an open one while the user is away', () => {
    const collapsed: Box[] = [{ groupId: 'a', collapsed: true, unread: 1 }];
    expect(receive(collapsed, 'a', desktop, true)).toEqual({ boxes: [{ groupId: 'a', collapsed: true, unread: 2 }], created: false, read: false });
    const open: Box[] = [{ groupId: 'a', collapsed: false, unread: 0 }];
    expect(receive(open, 'a', desktop, false).boxes[0].unread).toBe(1);
    expect(receive(open, 'a', desktop, true)).toEqual({ boxes: open, created: false, read: true });
  });

  it('lists the open boxes to mark read when the user comes back', () => {
    const boxes: Box[] = [
      { groupId: 'a', collapsed: false, unread: 2 },
      { groupId: 'b', collapsed: true, unread: 1 },
      { groupId: 'c', collapsed: false, unread: 0 },
      { groupId: 'd', collapsed: false, unread: 0 },
    ];
    expect(unreadOpenBoxes(boxes, new Set(['b', 'c']))).toEqual(['a', 'c']);
  });

  it('clears a counter and closes boxes, keeping the same list when nothing changes', () => {
    const boxes: Box[] = [{ groupId: 'a', collapsed: false, unread: 2 }, { groupId: 'b', collapsed: false, unread: 0 }];
    expect(clearUnread(boxes, 'a')[0].unread).toBe(0);
    expect(clearUnread(boxes, 'b')).toBe(boxes);
    expect(closeBoxes(boxes, ['a']).map((b) => b.groupId)).toEqual(['b']);
    expect(closeBoxes(boxes, ['x'])).toBe(boxes);
  });
});
