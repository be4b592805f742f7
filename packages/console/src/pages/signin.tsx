/** Sign-in: username and password for a bearer token (POST /auth/token). */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api.ts';
import { useSession } from '../session.tsx';
import { Button, ErrorBanner, TextField } from '../ui/components.tsx';

export function SignInPage() {
  const { signIn } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? new Error('Wrong username or password, or the user is disabled.') : err);
      setBusy(false);
    }
  }

  return (
    <main id="main" className="center-page">
      <form className="card signin" onSubmit={submit} aria-labelledby="signin-title">
        <p className="brand signin-brand"><span aria-hidden="true" className="brand-mark">◎</span> Operon</p>
        <h1 id="signin-title">Sign in</h1>
        <ErrorBanner error={error} title="Could not sign in" />
        <TextField label="Username" name="username" autoComplete="username" required autoFocus value={username} onChange={(e) => setUsername(e.target.value)} />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <Button type="submit" variant="primary" busy={busy}>{busy ? 'Signing in…' : 'Sign in'}</Button>
        <p className="muted small">The first administrator's password is in the <code>admin-credentials</code> file of Operon's data directory.</p>
      </form>
    </main>
  );
}
