import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, NavLink, Link, Outlet, Route, Routes, useLocation } from 'react-router';
import { useApi } from './api.ts';
import { Notice } from '../../ui/components.tsx';
import {
  ForgotPassword,
  OidcReturn,
  ResetPassword,
  SignIn,
  SignUp,
  VerifyEmail,
} from './account/auth-pages.tsx';
import { ProfilePicker } from './account/profiles.tsx';
import { Home } from './catalog/home.tsx';
import { TitlePage } from './catalog/title-page.tsx';
import { Search } from './catalog/search.tsx';
import { GenrePage } from './catalog/genre-page.tsx';
import { Plans, SandboxCheckout } from './subscriptions/plans.tsx';

// Pages off the first screen load on demand: the player brings hls.js, the account page the rest.
const Player = lazy(() => import('./playback/player.tsx'));
const Account = lazy(() => import('./account/account.tsx'));
const LivePage = lazy(() => import('./playback/live-page.tsx'));

/** The signed-in viewer (and their active profile), or null when signed out. */
export function useMe() {
  const api = useApi();
  const signedIn = api.tokens.get() !== null;
  return useQuery({ queryKey: ['me'], queryFn: () => api.call('getMe'), enabled: signedIn, retry: false });
}

/** Pages that need a viewer with an active profile. */
function WithProfile({ children }: { children: ReactNode }) {
  const api = useApi();
  const me = useMe();
  const location = useLocation();
  if (!api.tokens.get()) return <Navigate to="/signin" replace state={{ from: location.pathname }} />;
  if (me.isPending) return <p className="ui-page ui-muted">Loading…</p>;
  if (me.isError) return <Navigate to="/signin" replace />;
  if (!me.data.activeProfile) return <Navigate to="/profiles" replace />;
  return children;
}

/** The operator's banner (an admin setting: maintenance, an outage, news), on every page while set. */
function Announcement() {
  const api = useApi();
  const announcement = useQuery({
    queryKey: ['announcement'],
    queryFn: () => api.call('getAnnouncement'),
    staleTime: 60_000,
    refetchInterval: 5 * 60_000,
  });
  const banner = announcement.data?.announcement;
  if (!banner) return null;
  return (
    <div className="app-announcement" data-announcement={banner.tone}>
      <Notice tone={banner.tone}>{banner.message}</Notice>
    </div>
  );
}

function Layout() {
  const me = useMe();
  const profile = me.data?.activeProfile;
  return (
    <>
      <a className="app-skip" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link className="app-brand" to="/">
          Marquee
        </Link>
        {profile && (
          <nav className="app-nav" aria-label="Main">
            <NavLink to="/" end>
              Home
            </NavLink>
            <NavLink to="/search">Search</NavLink>
            {!profile.isKids && <NavLink to="/plans">Plans</NavLink>}
            {!profile.isKids && <NavLink to="/account">Account</NavLink>}
            <NavLink to="/profiles">{profile.name} · switch profile</NavLink>
          </nav>
        )}
      </header>
      <Announcement />
      <main id="main">
        <Suspense fallback={<p className="ui-page ui-muted">Loading…</p>}>
          <Outlet />
        </Suspense>
      </main>
    </>
  );
}

export function AppRoutes() {
  const guarded = (page: ReactNode) => <WithProfile>{page}</WithProfile>;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/signin" element={<SignIn />} />
        <Route path="/signup" element={<SignUp />} />
        <Route path="/forgot-password" element={<ForgotPassword />} />
        <Route path="/reset-password" element={<ResetPassword />} />
        <Route path="/verify-email" element={<VerifyEmail />} />
        <Route path="/oidc" element={<OidcReturn />} />
        <Route path="/profiles" element={<ProfilePicker />} />
        <Route path="/" element={guarded(<Home />)} />
        <Route path="/title/:id" element={guarded(<TitlePage />)} />
        <Route path="/search" element={guarded(<Search />)} />
        <Route path="/genre/:slug" element={guarded(<GenrePage />)} />
        <Route path="/play/:itemId" element={guarded(<Player />)} />
        <Route path="/live/:eventId" element={guarded(<LivePage />)} />
        <Route path="/plans" element={guarded(<Plans />)} />
        <Route path="/checkout/:checkoutId" element={guarded(<SandboxCheckout />)} />
        <Route path="/account" element={guarded(<Account />)} />
        <Route
          path="*"
          element={
            <p className="ui-page">
              Nothing here. <Link to="/">Home</Link>
            </p>
          }
        />
      </Route>
    </Routes>
  );
}
