/**
 * Deep-freezes a value in place (objects and arrays at any depth) and returns it: for values
 * shared between readers that must not be able to change them (stored deployments, the claims of
 * a cached verified token). Already-frozen parts are not walked again.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value as Record<string, unknown>)) deepFreeze(inner);
  }
  return value;
}
