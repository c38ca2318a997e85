import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { createApiClient, localTokenStore } from '../../ui/api/client.ts';
import { ApiContext } from '../../ui/api/context.ts';
import '../../ui/tokens.css';
import './admin.css';
import { AdminRoutes } from './routes.tsx';

const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 10_000, retry: 1, refetchOnWindowFocus: false } },
});
// The viewer app's token store: one sign-in on this origin serves both apps.
const api = createApiClient(localTokenStore(), () => {
  queryClient.clear();
  if (!location.pathname.startsWith('/admin/signin')) location.assign('/admin/signin');
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ApiContext.Provider value={api}>
        <BrowserRouter basename="/admin">
          <AdminRoutes />
        </BrowserRouter>
      </ApiContext.Provider>
    </QueryClientProvider>
  </StrictMode>,
);
