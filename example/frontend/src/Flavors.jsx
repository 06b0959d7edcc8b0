// The lazily loaded route. VITE_BUILD_LABEL (set at build time) is compiled into this chunk only, so builds with
// different labels differ in this chunk's content and hash, as a real change to the page would.
const BUILD = import.meta.env.VITE_BUILD_LABEL ?? 'dev';
const FLAVORS = ['Double Apple', 'ミント', 'Blueberry', 'Lemon'];

export default function Flavors() {
  return (
    <section className="flavors">
      <h2>Flavors</h2>
      <ul>
        {FLAVORS.map((f) => (
          <li key={f}>{f}</li>
        ))}
      </ul>
      <p className="muted build">build {BUILD}</p>
    </section>
  );
}
