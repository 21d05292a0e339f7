// Latest quote per symbol with its receive time: a ready-made bus subscriber for whoever needs "the price
// now" (strategy, REST fallback checks, status) without touching the socket.
import type { KrBook, KrTick, RealtimeEvent, UsTick } from '../kis/ws/events.js';
import type { BusSubscription, EventBus } from './bus.js';

export class QuoteCache {
  private readonly kr = new Map<string, KrTick>();
  private readonly krBooks = new Map<string, KrBook>();
  private readonly us = new Map<string, UsTick>();
  private readonly usBySymbol = new Map<string, UsTick>();

  /** Stores the event if it is a quote; ignores notices. Events carry their own receivedAtMs. */
  handle(event: RealtimeEvent): void {
    switch (event.kind) {
      case 'kr-tick':
        this.kr.set(event.code, event);
        break;
      case 'kr-book':
        this.krBooks.set(event.code, event);
        break;
      case 'us-tick':
        this.us.set(event.rsym, event);
        this.usBySymbol.set(event.symbol, event);
        break;
      default:
        break;
    }
  }

  /** Subscribes to a bus; drop-oldest is right here: only the newest quote matters. */
  attach(bus: EventBus<RealtimeEvent>, capacity = 50_000): BusSubscription {
    return bus.subscribe((ev) => this.handle(ev), { name: 'quote-cache', capacity, dropPolicy: 'drop-oldest' });
  }

  /** Latest domestic tick for a 6-character code. */
  krTick(code: string): KrTick | undefined {
    return this.kr.get(code);
  }

  krBook(code: string): KrBook | undefined {
    return this.krBooks.get(code);
  }

  /** Latest overseas tick by subscription key ("DNASAAPL") or plain symbol ("AAPL"). */
  usTick(keyOrSymbol: string): UsTick | undefined {
    return this.us.get(keyOrSymbol) ?? this.usBySymbol.get(keyOrSymbol);
  }

  /** Milliseconds since the latest tick for this code/key was received, or undefined if none. */
  ageMs(keyOrCode: string, nowMs: number): number | undefined {
    const t = this.kr.get(keyOrCode) ?? this.usTick(keyOrCode);
    return t === undefined ? undefined : nowMs - t.receivedAtMs;
  }

  size(): { kr: number; krBooks: number; us: number } {
    return { kr: this.kr.size, krBooks: this.krBooks.size, us: this.us.size };
  }

  clear(): void {
    this.kr.clear();
    this.krBooks.clear();
    this.us.clear();
    this.usBySymbol.clear();
  }
}
