/**
 * Thumbnails fetched in batches and kept in a bounded cache. Tiles subscribe to the file they show; the
 * newest requests are served first (after a fast scroll the tiles on screen matter, not the ones
 * scrolled past), and a request whose tiles have all gone away is dropped before it is sent.
 */
import { useCallback, useSyncExternalStore } from 'react';

export interface ThumbnailImage {
  /** A data: URL of the PNG, or null when the file could not be read. */
  src: string | null;
  error: string | null;
}

export type ThumbnailBatchFetcher = (files: readonly string[]) => Promise<ReadonlyMap<string, ThumbnailImage>>;

export interface ThumbnailCacheOptions {
  batchSize?: number;
  maxEntries?: number;
  /** Batches in flight at once. */
  concurrency?: number;
}

export class ThumbnailCache {
  private readonly entries = new Map<string, ThumbnailImage>();
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private active = 0;
  private scheduled = false;
  private readonly batchSize: number;
  private readonly maxEntries: number;
  private readonly concurrency: number;

  constructor(
    private readonly fetchBatch: ThumbnailBatchFetcher,
    options: ThumbnailCacheOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 32;
    this.maxEntries = options.maxEntries ?? 1500;
    this.concurrency = options.concurrency ?? 2;
  }

  peek(file: string): ThumbnailImage | undefined {
    return this.entries.get(file);
  }

  subscribe(file: string, listener: () => void): () => void {
    const set = this.listeners.get(file) ?? new Set();
    set.add(listener);
    this.listeners.set(file, set);
    if (!this.entries.has(file) && !this.queued.has(file)) {
      this.queued.add(file);
      this.queue.push(file);
      this.schedule();
    }
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(file);
    };
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Gather the requests of one render pass into one batch.
    setTimeout(() => {
      this.scheduled = false;
      this.pump();
    }, 0);
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length > 0) {
      const batch: string[] = [];
      while (batch.length < this.batchSize && this.queue.length > 0) {
        const file = this.queue.pop() as string; // newest first
        this.queued.delete(file);
        if (this.listeners.has(file) && !this.entries.has(file)) batch.push(file);
      }
      if (batch.length === 0) continue;
      this.active++;
      this.fetchBatch(batch)
        .then((results) => {
          for (const file of batch) this.store(file, results.get(file) ?? { src: null, error: 'no thumbnail returned' });
        })
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          for (const file of batch) this.store(file, { src: null, error: message });
        })
        .finally(() => {
          this.active--;
          this.pump();
        });
    }
  }

  private store(file: string, image: ThumbnailImage): void {
    this.entries.delete(file);
    this.entries.set(file, image);
    if (this.entries.size > this.maxEntries) {
      // Maps iterate in insertion order: the first keys are the least recently stored.
      for (const stale of [...this.entries.keys()].slice(0, this.entries.size - this.maxEntries)) {
        if (!this.listeners.has(stale)) this.entries.delete(stale);
      }
    }
    for (const listener of this.listeners.get(file) ?? []) listener();
  }
}

/** The thumbnail of `file` (undefined while it loads); `cache` null shows nothing. */
export function useThumbnail(cache: ThumbnailCache | null, file: string | null): ThumbnailImage | undefined {
  const subscribe = useCallback(
    (listener: () => void) => (cache === null || file === null ? () => undefined : cache.subscribe(file, listener)),
    [cache, file],
  );
  return useSyncExternalStore(subscribe, () => (cache === null || file === null ? undefined : cache.peek(file)));
}
