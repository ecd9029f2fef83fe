/**
 * How a bad value is shown in an error message (pure).
 */

/**
 * Renders a value for an error message: strings quoted, everything else as written.
 *
 * @example
 * describeValue('5s') // '"5s"'
 * describeValue(NaN)  // 'NaN'
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
