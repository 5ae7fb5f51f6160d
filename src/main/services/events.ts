/**
 * Events the services push to every connected UI: Electron windows and WebSocket clients subscribe
 * here; the services never know which transports exist.
 */
import type { EventChannel, EventChannels } from '../../shared/ipc';

export type EventSink = <E extends EventChannel>(event: E, payload: EventChannels[E]) => void;

export class EventHub {
  private readonly listeners = new Set<EventSink>();

  readonly emit: EventSink = (event, payload) => {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch (error) {
        // One broken transport (a closed socket, a destroyed window) must not starve the others.
        console.warn(`[events] a listener failed on ${event}:`, error);
      }
    }
  };

  subscribe(listener: EventSink): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
