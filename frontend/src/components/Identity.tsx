/** The name, with the raw id beneath it: matching is by id, so both matter here. */
export function Identity({ label, id }: { label: string; id: string }) {
  if (id === '') return <span className="muted">{label}</span>;
  if (label === id) return <code className="identity-id">{id}</code>;
  return (
    <span className="identity" title={id} data-id={id}>
      <span>{label}</span>
      <code className="identity-id">{id}</code>
    </span>
  );
}
