import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useAuth } from './AuthContext';

export function SignIn() {
  const { signIn, notice } = useAuth();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // After an expiry the user lands here mid-task: move focus to say why.
  useEffect(() => heading.current?.focus(), []);

  function submit(event: FormEvent) {
    event.preventDefault();
    setError(signIn(token));
  }

  return (
    <main className="sign-in">
      <form className="sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <p className="brand" aria-hidden="true">
          <span className="brand-mark">◆</span> CogniTrack
        </p>
        <h1 id="sign-in-title" ref={heading} tabIndex={-1}>
          {notice ? 'Session ended' : 'Sign in'}
        </h1>
        {notice && (
          <p className="status status-error" role="alert" data-testid="auth-notice">
            {notice}
          </p>
        )}
        <p className="muted">
          Paste an API token (JWT). An admin can mint one with{' '}
          <code>cognitrack token --role viewer --sub YOUR_NAME</code>.
        </p>
        <label htmlFor="token">Token</label>
        <textarea
          id="token"
          name="token"
          rows={4}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          required
          aria-invalid={error !== null}
          aria-describedby={error ? 'token-error' : undefined}
        />
        {error && (
          <p id="token-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button-primary">
          Sign in
        </button>
      </form>
    </main>
  );
}
