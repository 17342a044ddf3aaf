/**
 * A run's memo of what is made once and reused (a fleet's bundles share a few of each): `make` runs for a key
 * not held yet; past `kept` entries the memo starts afresh, so it stays small whatever the fleet.
 */
export function memo<T>(kept: number): (key: string, make: () => T) => T {
  const held = new Map<string, T>();
  return (key, make) => {
    let value = held.get(key);
    if (value === undefined) {
      if (held.size >= kept) held.clear();
      held.set(key, (value = make()));
    }
    return value;
  };
}
