// The online routes' bound on one record's size in members (object keys and array elements at every depth): counted
// without recursion and given up on at the limit, so a record of millions of keys costs one bounded walk, never the
// copies, adapter reads and explanations after it.

/** Whether `value` holds more than `limit` members at every depth together. */
export function membersOver(value: unknown, limit: number): boolean {
  const stack: unknown[] = [value];
  let members = 0;
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    members += children.length;
    if (members > limit) return true;
    for (const c of children) if (c !== null && typeof c === 'object') stack.push(c);
  }
  return false;
}
