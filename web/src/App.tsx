// Routes and the page layout: navbar, content, chat column and dock.
import { useEffect, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { ChatDock, ChatPanel } from './components/Chat';
import { Spinner } from './components/Common';
import { Navbar } from './components/Navbar';
import { PHONE, useMedia, useValue } from './hooks';
import { LoginPage, RegisterPage } from './pages/Auth';
import { FriendsPage } from './pages/Friends';
import { ChatPage, ConversationsPage, NotificationsPage } from './pages/Inbox';
import { NotFoundPage, PostPage, ProfilePage } from './pages/Profile';
import { account$, realtime } from './session';

function Title() {
  const rt = useValue(realtime.state$);
  const n = rt.unreadConversations.size + rt.unreadNotifications;
  useEffect(() => {
    document.title = n > 0 ? `(${n}) Bunnybook` : 'Bunnybook';
  }, [n]);
  return null;
}

function ScrollToTop() {
  const { pathname } = useLocation();
  useEffect(() => {
    window.scrollTo(0, 0);
  }, [pathname]);
  return null;
}

function Main({ children }: { children: ReactNode }) {
  const me = useValue(account$);
  return (
    // Logged out there is no chat column: the content is centred on its own.
    <div className={me ? 'layout' : 'layout layout-single'}>
      <main className="content" id="main">{children}</main>
      {me && <aside className="side hide-mobile" aria-label="Chat">{<ChatPanel />}</aside>}
    </div>
  );
}

function AnonOnly({ children }: { children: ReactNode }) {
  const me = useValue(account$);
  return me ? <Navigate to="/profile" replace /> : <>{children}</>;
}

export function App() {
  const me = useValue(account$);
  const phone = useMedia(PHONE);
  useEffect(() => {
    realtime.compact = phone;
  }, [phone]);
  if (me === undefined) return <Spinner label="Waking up the bunnies…" />;
  return (
    <>
      <a href="#main" className="skip-link">Skip to content</a>
      <Title />
      <ScrollToTop />
      <Navbar />
      <Routes>
        <Route path="/" element={<Navigate to={me ? '/profile' : '/login'} replace />} />
        <Route path="/login" element={<AnonOnly><LoginPage /></AnonOnly>} />
        <Route path="/register" element={<AnonOnly><RegisterPage /></AnonOnly>} />
        <Route path="/profile/:profileId?" element={<Main><ProfilePage /></Main>} />
        <Route path="/profile/:profileId/friends/:section?" element={<Main><FriendsPage /></Main>} />
        <Route path="/profile/:profileId/notifications" element={<Main><NotificationsPage /></Main>} />
        <Route path="/profile/:profileId/conversations" element={<Main><ConversationsPage /></Main>} />
        <Route path="/post/:postId" element={<Main><PostPage /></Main>} />
        <Route path="/chat" element={<Main><ChatPage /></Main>} />
        <Route path="*" element={<Main><NotFoundPage /></Main>} />
      </Routes>
      {me && <ChatDock />}
    </>
  );
}
