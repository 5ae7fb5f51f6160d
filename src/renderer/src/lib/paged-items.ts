/**
 * Items of a long list fetched a page at a time, on demand, as the grid scrolls: the pages near what
 * is on screen are kept, far ones are dropped, and a page is never fetched twice at once.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { IpcError } from '../../../shared/ipc-errors';
import { toIpcError } from '../api/call';

export type PageFetcher<T> = (offset: number, limit: number) => Promise<{ total: number; items: T[] }>;

export interface PagedItems<T> {
  /** null until the first page has answered. */
  total: number | null;
  get(index: number): T | undefined;
  ensureRange(first: number, last: number): void;
  error: IpcError | null;
}

const PAGE_SIZE = 200;
/** 60 pages of 200: the neighbourhood of the screen, a few screens either way. */
const MAX_CACHED_PAGES = 60;

export function usePagedItems<T>(fetchPage: PageFetcher<T>, key: string): PagedItems<T> {
  const pages = useRef(new Map<number, T[]>());
  const inFlight = useRef(new Set<number>());
  const generation = useRef(0);
  const [, setVersion] = useState(0);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;

  const loadPage = useCallback((page: number): void => {
    if (pages.current.has(page) || inFlight.current.has(page)) return;
    inFlight.current.add(page);
    const startedIn = generation.current;
    fetchRef
      .current(page * PAGE_SIZE, PAGE_SIZE)
      .then(({ total: newTotal, items }) => {
        if (startedIn !== generation.current) return; // answer for an older sort or run
        pages.current.set(page, items);
        // Drop the pages furthest from this one when the cache is full.
        if (pages.current.size > MAX_CACHED_PAGES) {
          const far = [...pages.current.keys()].sort((a, b) => Math.abs(b - page) - Math.abs(a - page));
          for (const stale of far.slice(0, pages.current.size - MAX_CACHED_PAGES)) pages.current.delete(stale);
        }
        setTotal(newTotal);
        setError(null);
        setVersion((value) => value + 1);
      })
      .catch((thrown: unknown) => {
        if (startedIn === generation.current) setError(toIpcError(thrown));
      })
      .finally(() => {
        if (startedIn === generation.current) inFlight.current.delete(page);
      });
  }, []);

  useEffect(() => {
    generation.current++;
    pages.current.clear();
    inFlight.current.clear();
    setTotal(null);
    setError(null);
    setVersion((value) => value + 1);
    loadPage(0);
  }, [key, loadPage]);

  const ensureRange = useCallback(
    (first: number, last: number): void => {
      for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor(last / PAGE_SIZE); page++) loadPage(page);
    },
    [loadPage],
  );

  const get = (index: number): T | undefined => pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  return { total, get, ensureRange, error };
}
