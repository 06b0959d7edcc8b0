import { useEffect, useState } from 'react';
import { API_BASE_URL, fetchSessions } from './api.js';
import './app.css';

export default function App() {
  const [sessions, setSessions] = useState([]);
  const [error, setError] = useState('');
  useEffect(() => {
    fetchSessions()
      .then((body) => setSessions(body.sessions ?? []))
      .catch((err) => setError(String(err.message ?? err)));
  }, []);
  return (
    <main>
      <h1>Shisha Log</h1>
      <p className="muted">API: {API_BASE_URL}</p>
      {error && <p className="error">{error}</p>}
      <ul>
        {sessions.map((s) => (
          <li key={s.id}>
            {s.flavor} — {s.rating}/5
          </li>
        ))}
      </ul>
    </main>
  );
}
