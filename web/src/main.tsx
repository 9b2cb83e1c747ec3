import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App';
import { loadAccount } from './session';
import './style.css';

// Not StrictMode: its double effects would mark notification pages read twice.
createRoot(document.getElementById('root')!).render(
  <BrowserRouter>
    <App />
  </BrowserRouter>,
);
loadAccount().catch(() => {});
