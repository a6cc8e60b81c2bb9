import { type FormEvent, useId, useState } from 'react';
import { useMutation } from 'urql';
import { InputField, SelectField } from '../../components/FormField';
import { ErrorNotice } from '../../components/Status';
import type { Provider } from '../../gql/graphql';
import { oneOf, PROVIDERS } from '../../lib/enums';
import { AddConnectionMutation } from './queries';

/** Admin only. The key is sealed by the server and never shown again, here included. */
export function AddConnectionForm({ onAdded }: { onAdded: () => void }) {
  const id = useId();
  const [state, add] = useMutation(AddConnectionMutation);
  const [form, setForm] = useState<{ name: string; provider: Provider; baseUrl: string }>({
    name: '',
    provider: 'openai',
    baseUrl: '',
  });
  // Kept apart from the rest of the form, and emptied as soon as it is sent.
  const [adminKey, setAdminKey] = useState('');
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const key = adminKey;
    setAdminKey('');
    const answer = await add({
      input: { name: form.name.trim(), provider: form.provider, adminKey: key, baseUrl: form.baseUrl.trim() || null },
    });
    if (!answer.error) {
      setForm({ name: '', provider: form.provider, baseUrl: '' });
      onAdded();
    }
  }

  const added = state.data?.addProviderConnection;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Add a connection</h2>
      <p className="muted">
        An organization admin key (OpenAI <code>sk-admin-…</code>, Anthropic <code>sk-ant-admin…</code>). It is sealed with
        the server's master key and never shown again.
      </p>
      <form className="form-grid" onSubmit={submit} autoComplete="off">
        <InputField
          label="Connection name"
          required
          pattern="[A-Za-z0-9_.\-]{1,64}"
          title="1 to 64 letters, digits, -, _ or ."
          value={form.name}
          onChange={(e) => set({ name: e.target.value })}
        />
        <SelectField
          label="Provider"
          value={form.provider}
          onChange={(e) => set({ provider: oneOf(PROVIDERS, e.target.value) ?? form.provider })}
        >
          {PROVIDERS.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </SelectField>
        <InputField
          label="Admin key"
          type="password"
          required
          autoComplete="new-password"
          spellCheck={false}
          value={adminKey}
          onChange={(e) => setAdminKey(e.target.value)}
        />
        <InputField
          label="Base URL (optional)"
          className="field-wide"
          type="url"
          placeholder="the provider's default"
          value={form.baseUrl}
          onChange={(e) => set({ baseUrl: e.target.value })}
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={state.fetching}>
            {state.fetching ? 'Adding…' : 'Add connection'}
          </button>
          <span role="status" className="small">
            {added && !state.error && `Added ${added.name} (key ${added.keyFingerprint}). Test it, then refresh its inventory.`}
          </span>
        </div>
        {state.error && <ErrorNotice error={state.error} />}
      </form>
    </section>
  );
}
