import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, type ReactNode } from 'react';
import { Link, Navigate, NavLink, Outlet, Route, Routes, useLocation, useNavigate } from 'react-router';
import { Button, Notice } from '../../ui/components.tsx';
import { useApi } from '../../ui/api/context.ts';
import { isStaff, sectionsFor, type Section } from './access.ts';
import { SignIn } from './account/sign-in.tsx';

// Each section is its own chunk: the sign-in page and the layout load first, a page on demand.
const loadDashboard = () => import('./analytics/dashboard.tsx');
const Dashboard = lazy(loadDashboard);
// The first page after sign-in: its chunk loads while the account is being asked for.
if (localStorage.getItem('marquee.session')) void loadDashboard();
const Titles = lazy(() => import('./catalog/titles.tsx'));
const TitleEditor = lazy(() => import('./catalog/title-editor.tsx'));
const Jobs = lazy(() => import('./media/jobs.tsx'));
const Users = lazy(() => import('./identity/users.tsx'));
const Audit = lazy(() => import('./identity/audit.tsx'));
const Comments = lazy(() => import('./engagement/comments.tsx'));
const LiveEvents = lazy(() => import('./live/live-events.tsx'));
const Plans = lazy(() => import('./subscriptions/plans.tsx'));
const Campaigns = lazy(() => import('./ads/campaigns.tsx'));
const People = lazy(() => import('./catalog/people.tsx'));
const Genres = lazy(() => import('./catalog/genres.tsx'));
const UserSessions = lazy(() => import('./identity/user-sessions.tsx'));
const Subscriptions = lazy(() => import('./subscriptions/subscriptions.tsx'));
const AccountBilling = lazy(() => import('./subscriptions/account-billing.tsx'));
const Coupons = lazy(() => import('./subscriptions/coupons.tsx'));
const Settings = lazy(() => import('./settings/settings.tsx'));

/** The signed-in person, or an error when signed out. */
export function useMe() {
  const api = useApi();
  return useQuery({
    queryKey: ['me'],
    queryFn: () => api.call('getMe'),
    enabled: api.tokens.get() !== null,
    retry: false,
  });
}

const navigation: Array<{ section: Section; to: string; label: string }> = [
  { section: 'dashboard', to: '/', label: 'Dashboard' },
  { section: 'content', to: '/titles', label: 'Content' },
  { section: 'jobs', to: '/jobs', label: 'Transcoding' },
  { section: 'live', to: '/live', label: 'Live' },
  { section: 'users', to: '/users', label: 'Users' },
  { section: 'comments', to: '/comments', label: 'Comments' },
  { section: 'subscriptions', to: '/subscriptions', label: 'Subscriptions' },
  { section: 'plans', to: '/plans', label: 'Plans' },
  { section: 'plans', to: '/offers', label: 'Offers' },
  { section: 'ads', to: '/ads', label: 'Ads' },
  { section: 'audit', to: '/audit', label: 'Audit log' },
  { section: 'settings', to: '/settings', label: 'Settings' },
];

function SignOut() {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return (
    <Button
      onClick={() => {
        // The server ends this device's session; the tokens go whatever it answers.
        void api
          .call('logout')
          .catch(() => undefined)
          .finally(() => {
            api.tokens.set(null);
            queryClient.clear();
            void navigate('/signin');
          });
      }}
    >
      Sign out
    </Button>
  );
}

/** Pages for staff only: signed out goes to sign-in, a viewer-only account is refused. */
function StaffOnly({ section, children }: { section?: Section; children: ReactNode }) {
  const api = useApi();
  const me = useMe();
  const location = useLocation();
  if (!api.tokens.get()) return <Navigate to="/signin" replace state={{ from: location.pathname }} />;
  if (me.isPending) return <p className="ui-muted">Loading…</p>;
  if (me.isError) return <Navigate to="/signin" replace />;
  const roles = me.data.user.roles;
  if (!isStaff(roles)) {
    return (
      <section className="admin-refusal" aria-labelledby="refused">
        <h1 id="refused">No access to the admin console</h1>
        <Notice tone="error">
          {me.data.user.email} is a viewer account. The console is for content managers, support staff and
          administrators; ask an administrator for a role.
        </Notice>
        <div className="ui-actions">
          <a className="ui-button" href="/">
            Go to Marquee
          </a>
          <SignOut />
        </div>
      </section>
    );
  }
  if (section && !sectionsFor(roles).has(section)) {
    return <Notice tone="error">Your roles ({roles.join(', ')}) do not open this section.</Notice>;
  }
  return children;
}

function Layout() {
  const me = useMe();
  const sections = sectionsFor(me.data?.user.roles ?? []);
  return (
    <div className="admin-shell">
      <a className="admin-skip" href="#main">
        Skip to content
      </a>
      <header className="admin-header">
        <Link className="admin-brand" to="/">
          Marquee <span>admin</span>
        </Link>
        {me.data && sections.size > 0 && (
          <nav className="admin-nav" aria-label="Admin sections">
            <ul>
              {navigation
                .filter((entry) => sections.has(entry.section))
                .map((entry) => (
                  <li key={entry.to}>
                    <NavLink to={entry.to} end={entry.to === '/'}>
                      {entry.label}
                    </NavLink>
                  </li>
                ))}
            </ul>
          </nav>
        )}
        {me.data && (
          <div className="admin-user">
            <span className="ui-muted">{me.data.user.email}</span>
            <SignOut />
          </div>
        )}
      </header>
      <main id="main" className="admin-main" tabIndex={-1}>
        <Suspense fallback={<p className="ui-muted">Loading…</p>}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}

export function AdminRoutes() {
  const staff = (page: ReactNode, section?: Section) => <StaffOnly section={section}>{page}</StaffOnly>;
  const me = useMe();
  const sections = sectionsFor(me.data?.user.roles ?? []);
  // Support staff have no dashboard: their first page is the users list.
  const home =
    sections.has('dashboard') || sections.size === 0 ? <Dashboard /> : <Navigate to="/users" replace />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/signin" element={<SignIn />} />
        <Route path="/" element={staff(home)} />
        <Route path="/titles" element={staff(<Titles />, 'content')} />
        <Route path="/titles/:id" element={staff(<TitleEditor />, 'content')} />
        <Route path="/people" element={staff(<People />, 'content')} />
        <Route path="/genres" element={staff(<Genres />, 'content')} />
        <Route path="/jobs" element={staff(<Jobs />, 'jobs')} />
        <Route path="/users" element={staff(<Users />, 'users')} />
        <Route path="/users/:id/sessions" element={staff(<UserSessions />, 'users')} />
        <Route path="/subscriptions" element={staff(<Subscriptions />, 'subscriptions')} />
        <Route path="/subscriptions/accounts/:userId" element={staff(<AccountBilling />, 'subscriptions')} />
        <Route path="/offers" element={staff(<Coupons />, 'plans')} />
        <Route path="/comments" element={staff(<Comments />, 'comments')} />
        <Route path="/live" element={staff(<LiveEvents />, 'live')} />
        <Route path="/plans" element={staff(<Plans />, 'plans')} />
        <Route path="/ads" element={staff(<Campaigns />, 'ads')} />
        <Route path="/audit" element={staff(<Audit />, 'audit')} />
        <Route path="/settings" element={staff(<Settings />, 'settings')} />
        <Route
          path="*"
          element={
            <p>
              Nothing here. <Link to="/">Dashboard</Link>
            </p>
          }
        />
      </Route>
    </Routes>
  );
}
