// The dock: which chat boxes are open or collapsed, the unread counter of
// each box, and whether the user is looking at the tab at all (a message
// that arrives in an open box is read only while the tab is visible and
// focused). The box functions are pure; `documentAttention` is the one
// place that asks the DOM.

/** An open chat box in the dock. */
export interface Box { groupId: string; collapsed: boolean; unread: number }

/** Where the dock is shown: compact is the phone layout (one open box at a time, new boxes start collapsed). */
export interface DockMode { compact: boolean }

const update = (boxes: Box[], groupId: string, fn: (b: Box) => Box) => boxes.map((b) => (b.groupId === groupId ? fn(b) : b));

/** findBox returns a chat's box, if it is in the dock. */
export const findBox = (boxes: Box[], groupId: string) => boxes.find((b) => b.groupId === groupId);

/** isOpen tells whether a chat's box is in the dock and not collapsed. */
export const isOpen = (boxes: Box[], groupId: string) => {
  const b = findBox(boxes, groupId);
  return !!b && !b.collapsed;
};

/** openBox shows a chat's box open (adding it if needed) with no unread messages; on phones it collapses the others. */
export function openBox(boxes: Box[], groupId: string, mode: DockMode): Box[] {
  const all = mode.compact ? boxes.map((b) => (b.collapsed ? b : { ...b, collapsed: true })) : boxes;
  return findBox(all, groupId)
    ? update(all, groupId, (b) => ({ ...b, collapsed: false, unread: 0 }))
    : [...all, { groupId, collapsed: false, unread: 0 }];
}

/** collapseBox minimizes a box to its bar. */
export const collapseBox = (boxes: Box[], groupId: string) => update(boxes, groupId, (b) => ({ ...b, collapsed: true }));

/** closeBoxes removes boxes from the dock. */
export const closeBoxes = (boxes: Box[], groupIds: readonly string[]) => {
  const next = boxes.filter((b) => !groupIds.includes(b.groupId));
  return next.length === boxes.length ? boxes : next;
};

/** clearUnread zeroes a box's counter (its messages were read). */
export const clearUnread = (boxes: Box[], groupId: string) =>
  findBox(boxes, groupId)?.unread ? update(boxes, groupId, (b) => ({ ...b, unread: 0 })) : boxes;

/**
 * receive puts another member's new message in the dock: it opens a box
 * for a chat that has none (collapsed on phones) and counts the message
 * unread unless the box is open and the user is looking. `read` says the
 * user sees it now; `created` that the box is new (its history must load).
 */
export function receive(boxes: Box[], groupId: string, mode: DockMode, looking: boolean): { boxes: Box[]; created: boolean; read: boolean } {
  const box = findBox(boxes, groupId);
  if (!box) {
    const unread = mode.compact || !looking ? 1 : 0;
    return { boxes: [...boxes, { groupId, collapsed: mode.compact, unread }], created: true, read: !mode.compact && looking };
  }
  if (box.collapsed || !looking) return { boxes: update(boxes, groupId, (b) => ({ ...b, unread: b.unread + 1 })), created: false, read: false };
  return { boxes, created: false, read: true };
}

/** unreadOpenBoxes lists the open boxes that hold unread messages (to mark read when the user looks back). */
export const unreadOpenBoxes = (boxes: Box[], unreadConversations: ReadonlySet<string>) =>
  boxes.filter((b) => !b.collapsed && (b.unread > 0 || unreadConversations.has(b.groupId))).map((b) => b.groupId);

/** Attention tells whether the user is looking at this tab, and when they come back. */
export interface Attention {
  /** looking: the tab is visible and its window has the focus. */
  looking(): boolean;
  /** watch calls onBack whenever the tab is shown or the window focused; it returns the unsubscribe. */
  watch(onBack: () => void): () => void;
}

/** documentAttention asks the browser (document.visibilityState, document.hasFocus()). */
export const documentAttention: Attention = {
  looking: () => typeof document === 'undefined' || (document.visibilityState === 'visible' && document.hasFocus()),
  watch(onBack) {
    if (typeof window === 'undefined') return () => {};
    document.addEventListener('visibilitychange', onBack);
    window.addEventListener('focus', onBack);
    return () => {
      document.removeEventListener('visibilitychange', onBack);
      window.removeEventListener('focus', onBack);
    };
  },
};
