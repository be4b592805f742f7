import { Link } from '@tanstack/react-router';
import { PageHeader } from './components.tsx';

export function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" subtitle="There is no console page at this address." />
      <p><Link to="/">Back to the start page</Link></p>
    </>
  );
}
