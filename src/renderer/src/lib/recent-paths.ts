/** Folders and files the user typed or picked before, newest first, for the path fields' suggestions. */

const MAX_RECENT = 8;

export function readRecentPaths(storageKey: string): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(storageKey) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((entry): entry is string => typeof entry === 'string').slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

export function rememberPath(storageKey: string, path: string): string[] {
  const next = [path, ...readRecentPaths(storageKey).filter((entry) => entry !== path)].slice(0, MAX_RECENT);
  try {
    localStorage.setItem(storageKey, JSON.stringify(next));
  } catch {
    // suggestions are a convenience; nothing is lost without them
  }
  return next;
}

/**
 * A problem with a typed path that can be named before asking the backend, or null. Only absolute
 * paths are accepted: the backend may run in another working directory than the user imagines.
 */
export function checkTypedPath(path: string, what: string): string | null {
  const trimmed = path.trim();
  if (trimmed.length === 0) return `Enter the full path of the ${what}`;
  if (trimmed.length > 4096) return 'This path is too long';
  if (trimmed.includes('\0')) return 'This path contains an invalid character';
  const absolute = trimmed.startsWith('/') || trimmed.startsWith('~') || /^[A-Za-z]:[\\/]/.test(trimmed) || trimmed.startsWith('\\\\');
  if (!absolute) return `Enter the full path of the ${what}, starting with / (for example /data/rover-tiles)`;
  if (trimmed.startsWith('~')) return 'Write the home folder out in full (for example /home/ana/…) instead of ~';
  return null;
}
