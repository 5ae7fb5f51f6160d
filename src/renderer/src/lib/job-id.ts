/** Ids for long actions, made here so the page can cancel an action before its answer arrives. */
export function newJobId(prefix: string): string {
  const random = new Uint8Array(8);
  crypto.getRandomValues(random);
  return `${prefix}-${Array.from(random, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
