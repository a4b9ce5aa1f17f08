/**
 * Appends `items` to `target` in a loop. `target.push(...items)` passes every item as a call argument and
 * overflows the stack past about 100,000 of them: a 300,000-element initializer, or one `__attribute__` list
 * of 300,000 names, made validation throw.
 */
export function appendAll<T>(target: T[], items: readonly T[]): T[] {
  for (let i = 0; i < items.length; i++) target.push(items[i]);
  return target;
}
