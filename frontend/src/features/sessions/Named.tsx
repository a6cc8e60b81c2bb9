import { type NameIndex, NO_PROJECT, nameOrId } from '../../lib/names';

/** A project or key by its inventory name, the id in the tooltip. */
export function Named({ names, dimension, id }: { names: NameIndex; dimension: 'PROJECT' | 'API_KEY'; id: string }) {
  if (id === '') return dimension === 'PROJECT' ? <span className="muted">{NO_PROJECT}</span> : null;
  const label = nameOrId(names, dimension, id);
  return label === id ? <>{id}</> : <span title={id}>{label}</span>;
}
