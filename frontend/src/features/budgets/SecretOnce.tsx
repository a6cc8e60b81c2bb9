import { useState } from 'react';

/** A secret the server shows once: copy it now or make a new webhook. */
export function SecretOnce({ name, secret, onDismiss }: { name: string; secret: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      // No clipboard (e.g. plain http): the text is selectable.
      setCopied('failed');
    }
  }
  return (
    <div className="notice secret" role="status" data-testid="webhook-secret">
      <p>
        <strong>Signing secret of “{name}”.</strong> Copy it now: it is shown this once and cannot be read again.
      </p>
      <p className="secret-value">
        <code>{secret}</code>
      </p>
      <div className="actions">
        <button type="button" className="button" onClick={copy}>
          {copied === 'yes' ? 'Copied' : 'Copy secret'}
        </button>
        <button type="button" className="button button-quiet" onClick={onDismiss}>
          I have saved it
        </button>
        {copied === 'failed' && <span className="small">Copying is blocked here; select the secret and copy it.</span>}
      </div>
    </div>
  );
}
