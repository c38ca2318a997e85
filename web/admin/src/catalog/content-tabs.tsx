import { NavLink } from 'react-router';

/** The content section's pages: titles, the people credited in them, and genres. */
export function ContentTabs() {
  return (
    <nav className="admin-tabs" aria-label="Content">
      <NavLink to="/titles" end>
        Titles
      </NavLink>
      <NavLink to="/people">People</NavLink>
      <NavLink to="/genres">Genres</NavLink>
    </nav>
  );
}
