/**
 * The console's routes, declared in code (no file-based generation). Every
 * page is loaded on first visit, so the sign-in page and the first screen stay
 * small; the charts library is only fetched by the pages that draw charts.
 */
import { createRootRoute, createRoute, createRouter, lazyRouteComponent, Navigate } from '@tanstack/react-router';
import { RootLayout } from './ui/layout.tsx';
import { NotFound } from './ui/not-found.tsx';
import { useSession } from './session.tsx';

const rootRoute = createRootRoute({ component: RootLayout, notFoundComponent: NotFound });

const DashboardPage = lazyRouteComponent(() => import('./pages/dashboard/index.tsx'), 'DashboardPage');

/** `/`: the dashboard for staff; customers and partners (who have no KPIs) land on their orders. */
function Home() {
  const { can } = useSession();
  return can('ops.kpi', 'read') ? <DashboardPage /> : <Navigate to="/orders" replace />;
}

const indexRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: Home });
const dashboardRoute = createRoute({ getParentRoute: () => rootRoute, path: '/dashboard', component: DashboardPage });

const captureRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/orders/new',
  component: lazyRouteComponent(() => import('./pages/capture/index.tsx'), 'CapturePage'),
});
const ordersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/orders',
  component: lazyRouteComponent(() => import('./pages/orders/index.tsx'), 'OrdersPage'),
});
const OrderPage = lazyRouteComponent(() => import('./pages/orders/index.tsx'), 'OrderPage');
const orderRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/orders/$orderId',
  component: function OrderRoute() {
    const { orderId } = orderRoute.useParams();
    return <OrderPage orderId={orderId} />;
  },
});
const inventoryRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/inventory',
  component: lazyRouteComponent(() => import('./pages/inventory/index.tsx'), 'InventoryPage'),
});

const etomRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/capabilities',
  validateSearch: (s: Record<string, unknown>): { l2?: string } => (typeof s['l2'] === 'string' ? { l2: s['l2'] } : {}),
  component: lazyRouteComponent(() => import('./pages/etom/index.tsx'), 'EtomPage'),
});

const catalogRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/catalog',
  validateSearch: (s: Record<string, unknown>): { tab?: string } => (typeof s['tab'] === 'string' ? { tab: s['tab'] } : {}),
  component: lazyRouteComponent(() => import('./pages/catalog/index.tsx'), 'CatalogPage'),
});
const newOfferingRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/catalog/offerings/new',
  component: lazyRouteComponent(() => import('./pages/catalog/offering.tsx'), 'NewOfferingPage'),
});
const OfferingPage = lazyRouteComponent(() => import('./pages/catalog/offering.tsx'), 'OfferingPage');
const offeringRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/catalog/offerings/$offeringId',
  component: function OfferingRoute() {
    const { offeringId } = offeringRoute.useParams();
    return <OfferingPage offeringId={offeringId} />;
  },
});
const SpecificationPage = lazyRouteComponent(() => import('./pages/catalog/specification.tsx'), 'SpecificationPage');
const specificationRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/catalog/$kind/$specId',
  component: function SpecificationRoute() {
    const { kind, specId } = specificationRoute.useParams();
    return <SpecificationPage kind={kind} specId={specId} />;
  },
});

const customersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/customers',
  validateSearch: (s: Record<string, unknown>): { q?: string } => (typeof s['q'] === 'string' ? { q: s['q'] } : {}),
  component: lazyRouteComponent(() => import('./pages/customers/index.tsx'), 'CustomersPage'),
});
const CustomerPage = lazyRouteComponent(() => import('./pages/customers/customer.tsx'), 'CustomerPage');
const customerRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/customers/$customerId',
  component: function CustomerRoute() {
    const { customerId } = customerRoute.useParams();
    return <CustomerPage customerId={customerId} />;
  },
});

const operationsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/operations',
  component: lazyRouteComponent(() => import('./pages/operations/index.tsx'), 'OperationsPage'),
});

const routeTree = rootRoute.addChildren([
  indexRoute, dashboardRoute,
  captureRoute, ordersRoute, orderRoute, inventoryRoute,
  etomRoute,
  catalogRoute, newOfferingRoute, offeringRoute, specificationRoute,
  customersRoute, customerRoute,
  operationsRoute,
]);

export const router = createRouter({ routeTree, defaultPreload: 'intent' });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
