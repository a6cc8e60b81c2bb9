import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { routes } from './App';
import { AuthProvider } from './auth/AuthContext';
import './styles.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html lacks #root');

createRoot(root).render(
  <StrictMode>
    <AuthProvider>
      <RouterProvider router={createBrowserRouter(routes)} />
    </AuthProvider>
  </StrictMode>,
);
