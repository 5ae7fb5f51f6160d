/**
 * A windowed grid of fixed-size tiles: only the rows on screen (plus a little overscan) are in the DOM,
 * so 100,000 items scroll as smoothly as 100. It is a listbox with an active option (arrow keys, Page
 * Up/Down, Home/End move it; Enter opens it), so keyboard and screen-reader users get the same path.
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { nextActiveIndex, scrollTopToReveal, tilePosition, visibleWindow, type GridMetrics } from '../lib/virtual-window';

export interface VirtualGridProps {
  count: number;
  metrics: GridMetrics;
  /** Accessible name of the listbox. */
  label: string;
  /** Prefix of the tiles' element ids (aria-activedescendant points at them). */
  idPrefix: string;
  activeIndex: number;
  onActiveChange(index: number): void;
  onOpen(index: number): void;
  renderTile(index: number, active: boolean): ReactNode;
  /** Told which items are rendered, so their data can be fetched. */
  onRangeChange?(first: number, last: number): void;
  /** Accessible description of one tile, read when it becomes active. */
  describeTile(index: number): string;
  /** Element id of the focusable listbox. */
  id?: string;
  /** The item whose details are open (marked on its tile), if any. */
  openIndex?: number | null;
  testId?: string;
}

export function VirtualGrid(props: VirtualGridProps) {
  const { count, metrics, activeIndex, onActiveChange, onOpen, onRangeChange } = props;
  const scrollerRef = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ width: 0, height: 0 });
  const [scrollTop, setScrollTop] = useState(0);
  const frame = useRef<number | null>(null);

  useLayoutEffect(() => {
    const scroller = scrollerRef.current;
    if (scroller === null) return;
    const measure = (): void => setViewport({ width: scroller.clientWidth, height: scroller.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(scroller);
    return () => observer.disconnect();
  }, []);

  const window_ = visibleWindow(count, viewport.width, viewport.height, scrollTop, metrics);
  const { columns, first, last } = window_;
  const contentWidth = columns * (metrics.tileWidth + metrics.gap) - metrics.gap;
  const leftOffset = Math.max(0, Math.floor((viewport.width - contentWidth) / 2));

  useEffect(() => {
    if (last >= first) onRangeChange?.(first, last);
  }, [first, last, onRangeChange]);

  // Keep the active tile on screen whenever it moves (keyboard, or a parent choosing an item).
  useEffect(() => {
    const scroller = scrollerRef.current;
    if (scroller === null || viewport.height === 0 || count === 0) return;
    const target = scrollTopToReveal(Math.min(activeIndex, count - 1), columns, viewport.height, scroller.scrollTop, metrics);
    if (target !== scroller.scrollTop) {
      scroller.scrollTop = target;
      setScrollTop(target);
    }
  }, [activeIndex, columns, viewport.height, count, metrics]);

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  const onScroll = (): void => {
    // One state update per frame, however many scroll events arrive.
    frame.current ??= requestAnimationFrame(() => {
      frame.current = null;
      setScrollTop(scrollerRef.current?.scrollTop ?? 0);
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.key === 'Enter' || event.key === ' ') {
      if (count > 0) {
        event.preventDefault();
        onOpen(activeIndex);
      }
      return;
    }
    const rowsPerPage = Math.max(1, Math.floor(viewport.height / (metrics.tileHeight + metrics.gap)));
    const next = nextActiveIndex(event.key, activeIndex, count, columns, rowsPerPage);
    if (next === null) return;
    event.preventDefault();
    onActiveChange(next);
  };

  const tiles: ReactNode[] = [];
  for (let index = first; index <= last; index++) {
    const { left, top } = tilePosition(index, columns, metrics);
    const active = index === activeIndex;
    tiles.push(
      <div
        key={index}
        id={`${props.idPrefix}-${index}`}
        role="option"
        aria-selected={active}
        aria-posinset={index + 1}
        aria-setsize={count}
        aria-label={props.describeTile(index)}
        className={`vgrid-tile${active ? ' active' : ''}${index === props.openIndex ? ' open' : ''}`}
        style={{ transform: `translate(${left + leftOffset}px, ${top}px)`, width: metrics.tileWidth, height: metrics.tileHeight }}
        onClick={() => {
          onActiveChange(index);
          onOpen(index);
        }}
      >
        {props.renderTile(index, active)}
      </div>,
    );
  }

  const activeInDom = activeIndex >= first && activeIndex <= last;
  return (
    <div
      ref={scrollerRef}
      id={props.id}
      className="vgrid"
      role="listbox"
      tabIndex={0}
      aria-label={props.label}
      aria-activedescendant={activeInDom ? `${props.idPrefix}-${activeIndex}` : undefined}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
      data-testid={props.testId}
      data-first={first}
      data-last={last}
    >
      <div className="vgrid-content" style={{ height: window_.height }}>
        {tiles}
      </div>
    </div>
  );
}
