// The API base comes from the build: VITE_API_BASE_URL (default: same origin, /api/v1, routed by CloudFront).
export const API_BASE_URL = (import.meta.env.VITE_API_BASE_URL ?? '/api/v1').replace(/\/$/, '');

export async function fetchSessions() {
  const res = await fetch(`${API_BASE_URL}/sessions`, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET /sessions: HTTP ${res.status}`);
  return res.json();
}
