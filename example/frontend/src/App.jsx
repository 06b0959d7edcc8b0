import { Component, lazy, Suspense, useEffect, useState } from 'react';
import { API_BASE_URL, fetchSessions } from './api.js';
import './app.css';

// A route loaded on demand: its chunk (assets/Flavors-<hash>.js) is fetched only when the route is first shown, so a
// tab opened before a deploy asks for the old chunk after it: the deploy keeps it (see keep-releases).
const Flavors = lazy(() => import('./Flavors.jsx'));

/** The current path, and a navigate() that changes it without a page load (client-side routing). */
function useRoute() {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = (to) => {
    window.history.pushState(null, '', to);
    setPath(to);
  };
  return [path, navigate];
}

function Link({ to, navigate, children }) {
  return (
    <a
      href={to}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/** Shows a route that failed to load (e.g. a chunk gone from the server) instead of a blank page. */
class RouteError extends Component {
  state = { error: null };
  static getDerivedStateFromError(error) {
    return { error };
  }
  render() {
    return this.state.error ? (
      <p className="error">Could not load this page: {String(this.state.error.message ?? this.state.error)}</p>
    ) : (
      this.props.children
    );
  }
}

function Sessions({ navigate }) {
  const [sessions, setSessions] = useState([]);
  const [error, setError] = useState('');
  useEffect(() => {
    fetchSessions()
      .then((body) => setSessions(body.sessions ?? []))
      .catch((err) => setError(String(err.message ?? err)));
  }, []);
  return (
    <>
      {error && <p className="error">{error}</p>}
      <ul className="sessions">
        {sessions.map((s) => (
          <li key={s.id}>
            <Link to={`/sessions/${s.id}`} navigate={navigate}>
              {s.flavor}
            </Link>{' '}
            — {s.rating}/5
          </li>
        ))}
      </ul>
    </>
  );
}

function Session({ id }) {
  return <p className="session">Session {id}</p>;
}

export default function App() {
  const [path, navigate] = useRoute();
  const session = /^\/sessions\/([^/]+)$/.exec(path);
  return (
    <main>
      <h1>Shisha Log</h1>
      <nav>
        <Link to="/" navigate={navigate}>
          Sessions
        </Link>{' '}
        ·{' '}
        <Link to="/flavors" navigate={navigate}>
          Flavors
        </Link>
      </nav>
      <p className="muted">API: {API_BASE_URL}</p>
      <RouteError key={path}>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          {path === '/flavors' ? <Flavors /> : session ? <Session id={session[1]} /> : <Sessions navigate={navigate} />}
        </Suspense>
      </RouteError>
    </main>
  );
}
