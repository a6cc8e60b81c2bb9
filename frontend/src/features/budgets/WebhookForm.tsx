import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { InputField } from '../../components/FormField';
import { ErrorNotice } from '../../components/Status';
import { CreateWebhookMutation } from './queries';

/** Adds a webhook; its signing secret goes to `onCreated`, the one time the server tells it. */
export function WebhookForm({ onCreated }: { onCreated: (created: { name: string; secret: string }) => void }) {
  const [created, create] = useMutation(CreateWebhookMutation);
  const [form, setForm] = useState({ name: '', url: '' });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await create({ name: form.name.trim(), url: form.url.trim() });
    const data = answer.data?.createWebhook;
    if (data) {
      setForm({ name: '', url: '' });
      onCreated({ name: data.webhook.name, secret: data.secret });
    }
  }

  return (
    <form className="form-grid" onSubmit={submit} aria-label="New webhook">
      <InputField label="Webhook name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      <InputField
        label="URL (http or https)"
        className="field-wide"
        type="url"
        required
        placeholder="https://hooks.example.com/cognitrack"
        value={form.url}
        onChange={(e) => setForm({ ...form, url: e.target.value })}
      />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={created.fetching}>
          {created.fetching ? 'Adding…' : 'Add webhook'}
        </button>
      </div>
      {created.error && <ErrorNotice error={created.error} />}
    </form>
  );
}
