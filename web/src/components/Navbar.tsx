// The fixed top bar: logo, search, and the signed-in user's buttons.
import { Link, NavLink, useNavigate } from 'react-router-dom';
import { useValue } from '../hooks';
import { account$, logout, realtime } from '../session';
import { Avatar, Badge } from './Common';
import { Bunny, IconBell, IconChat, IconFriends, IconLogout } from './Icons';
import { Search } from './Search';

export function Navbar() {
  const me = useValue(account$);
  const rt = useValue(realtime.state$);
  const navigate = useNavigate();
  const unreadChats = rt.unreadConversations.size;
  return (
    <header className="navbar">
      <nav className="navbar-inner" aria-label="Main">
        <Link to={me ? '/profile' : '/login'} className="brand" aria-label="Bunnybook home">
          <Bunny /> <span className="brand-name">Bunnybook</span>
        </Link>
        <Search />
        <div className="nav-right">
          {me ? (
            <>
              <NavLink to={`/profile/${me.id}/friends`} className="nav-btn" aria-label="Friends" title="Friends">
                <IconFriends />
              </NavLink>
              <NavLink to="/chat" className="nav-btn only-mobile" aria-label={`Chat, ${unreadChats} unread`} title="Chat">
                <IconChat />
                <Badge n={unreadChats} label="unread conversations" />
              </NavLink>
              <NavLink to={`/profile/${me.id}/conversations`} className="nav-btn hide-mobile" aria-label={`Conversations, ${unreadChats} unread`} title="Conversations">
                <IconChat />
                <Badge n={unreadChats} label="unread conversations" />
              </NavLink>
              <NavLink to={`/profile/${me.id}/notifications`} className="nav-btn" aria-label={`Notifications, ${rt.unreadNotifications} unread`} title="Notifications">
                <IconBell />
                <Badge n={rt.unreadNotifications} label="unread notifications" />
              </NavLink>
              <NavLink to="/profile" end className="nav-btn nav-me" aria-label={`Your profile (${me.username})`}>
                <Avatar username={me.username} /> <span className="hide-mobile">{me.username}</span>
              </NavLink>
              <button type="button" className="nav-btn" aria-label="Log out" title="Log out"
                onClick={() => void logout().finally(() => navigate('/login'))}>
                <IconLogout />
              </button>
            </>
          ) : (
            <>
              <Link to="/login" className="btn btn-light">Log in</Link>
              <Link to="/register" className="btn btn-primary">Sign up</Link>
            </>
          )}
        </div>
      </nav>
      {me && rt.status === 'offline' && (
        <div className="conn-banner" role="status">{rt.offlineReason ?? 'Connection lost. Reconnecting…'}</div>
      )}
    </header>
  );
}
