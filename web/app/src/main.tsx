import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { createApiClient, localTokenStore } from '../../ui/api/client.ts';
import { enableSpatialNavigation } from '../../ui/spatial-nav.dom.ts';
import '../../ui/tokens.css';
import './app.css';
import { ApiContext } from './api.ts';
import { AppRoutes } from './routes.tsx';

const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 30_000, retry: 1, refetchOnWindowFocus: false } },
});
const api = createApiClient(localTokenStore(), () => {
  queryClient.clear();
  if (!location.pathname.startsWith('/sign')) location.assign('/signin');
});
enableSpatialNavigation(document);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ApiContext.Provider value={api}>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </ApiContext.Provider>
    </QueryClientProvider>
  </StrictMode>,
);
