// Inline SVG icons (no icon fonts). Decorative: hidden from screen readers;
// the button or link around them carries the accessible name.
import type { ReactNode } from 'react';

const Svg = ({ children, size = 20 }: { children: ReactNode; size?: number }) => (
  <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2}
    strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
    {children}
  </svg>
);

export const IconFriends = () => (
  <Svg><circle cx="9" cy="8" r="3.5" /><path d="M2.5 20c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6" /><circle cx="17" cy="9" r="2.5" /><path d="M16 14.2c3 .2 5.5 2.3 5.5 5.3" /></Svg>
);
export const IconChat = () => (
  <Svg><path d="M4 5h16v11H9l-5 4z" /></Svg>
);
export const IconBell = () => (
  <Svg><path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z" /><path d="M10 20a2 2 0 0 0 4 0" /></Svg>
);
export const IconGlobe = ({ size = 14 }: { size?: number }) => (
  <Svg size={size}><circle cx="12" cy="12" r="9" /><path d="M3 12h18M12 3c3 3.5 3 14.5 0 18M12 3c-3 3.5-3 14.5 0 18" /></Svg>
);
export const IconPeople = ({ size = 14 }: { size?: number }) => (
  <Svg size={size}><circle cx="9" cy="8" r="3.5" /><path d="M2.5 20c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6" /><circle cx="17" cy="9" r="2.5" /></Svg>
);
export const IconHeart = ({ filled, size = 18 }: { filled: boolean; size?: number }) => (
  <svg width={size} height={size} viewBox="0 0 24 24" fill={filled ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth={2}
    strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
    <path d="M12 20s-7.5-4.6-9.3-9.2C1.5 7.6 3.6 4.5 7 4.5c2 0 3.4 1.1 5 3 1.6-1.9 3-3 5-3 3.4 0 5.5 3.1 4.3 6.3C19.5 15.4 12 20 12 20z" />
  </svg>
);
export const IconClose = ({ size = 16 }: { size?: number }) => (
  <Svg size={size}><path d="M6 6l12 12M18 6L6 18" /></Svg>
);
export const IconChevron = ({ up }: { up: boolean }) => (
  <Svg size={16}><path d={up ? 'M6 15l6-6 6 6' : 'M6 9l6 6 6-6'} /></Svg>
);
export const IconEye = ({ off }: { off: boolean }) => (
  <Svg size={18}>
    <path d="M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z" /><circle cx="12" cy="12" r="3" />
    {off && <path d="M4 4l16 16" />}
  </Svg>
);
export const IconLogout = () => (
  <Svg><path d="M15 4h4v16h-4M10 8l-4 4 4 4M6 12h11" /></Svg>
);
export const IconSearch = () => (
  <Svg size={16}><circle cx="11" cy="11" r="6" /><path d="M20 20l-4.5-4.5" /></Svg>
);
export const IconSend = () => (
  <Svg size={18}><path d="M4 12l16-8-6 16-2-6z" /></Svg>
);
export const IconBack = () => (
  <Svg size={18}><path d="M15 6l-6 6 6 6" /></Svg>
);

/** Bunny is the logo. */
export const Bunny = ({ size = 32 }: { size?: number }) => (
  <svg width={size} height={size} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
    <g fill="#fff" stroke="#3d4a6b" strokeWidth="3">
      <ellipse cx="22" cy="18" rx="7" ry="16" /><ellipse cx="42" cy="18" rx="7" ry="16" /><circle cx="32" cy="40" r="20" />
    </g>
    <ellipse cx="22" cy="18" rx="3" ry="10" fill="#f9a8d4" /><ellipse cx="42" cy="18" rx="3" ry="10" fill="#f9a8d4" />
    <circle cx="25" cy="38" r="3" fill="#3d4a6b" /><circle cx="39" cy="38" r="3" fill="#3d4a6b" />
    <ellipse cx="32" cy="45" rx="3" ry="2" fill="#f472b6" />
  </svg>
);
