import { useMemo } from 'react';
import { useQuery } from 'urql';
import { buildNameIndex, type NameIndex, NO_NAMES } from '../../lib/names';
import { InventoryQuery } from './queries';

/**
 * The id → name lookup from every connection's stored inventory. Until it
 * arrives (or if it fails) ids are shown as they are: names are a nicety,
 * never a reason to hold a page back.
 */
export function useInventoryNames(): NameIndex {
  const [result] = useQuery({ query: InventoryQuery, context: INVENTORY_CONTEXT });
  const items = result.data?.inventory;
  return useMemo(() => (items ? buildNameIndex(items) : NO_NAMES), [items]);
}

/**
 * `InventoryItem` has no id, so the document cache cannot tie it to a
 * mutation's answer; `refreshInventory` names this typename to refresh it.
 */
const INVENTORY_CONTEXT = { additionalTypenames: ['InventoryItem'] };
