/** Fixed-size histories: memory set at construction, never growing with run time. */

/**
 * The last `capacity` items pushed, oldest first on read: per-signature count history (numbers)
 * and the dashboard's recent events (objects) alike. The backing array is sized once.
 */
export class Ring<T = number> {
  private readonly buf: (T | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.buf = new Array<T | undefined>(capacity);
  }

  /** Appends an item, dropping the oldest when full. */
  push(v: T): void {
    this.buf[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** Number of items held. */
  get length(): number {
    return this.size;
  }

  /** The newest item, or undefined when empty. */
  last(): T | undefined {
    return this.size === 0 ? undefined : this.buf[(this.next - 1 + this.capacity) % this.capacity];
  }

  /** The items, oldest first (a fresh array). */
  values(): T[] {
    const out = new Array<T>(this.size);
    const start = (this.next - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i++) out[i] = this.buf[(start + i) % this.capacity] as T;
    return out;
  }
}

const AT_ENTRY = 1;
const WITHIN = 2;

/** What a trend window says about a series. */
export interface TrendVerdict {
  /** The series was observed over the whole window. */
  covered: boolean;
  /** It went down at least once inside the window. */
  fell: boolean;
  /** Last value minus the value at the start of the window. */
  rise: number;
  /** Slots whose last value is above the previous slot's. */
  risingSlots: number;
  first: number;
  last: number;
}

/**
 * A series bucketed into `slots` time slots of `slotMs` each: per slot the first and last value
 * and whether it ever went down. Answers "has this risen steadily over the window without falling
 * back?" in constant memory, however often it is sampled.
 */
export class SlotSeries {
  // One plain array of `slots` records [start, first, last, fell]: a watched process gets three
  // series, and one array each keeps that to three small allocations (typed arrays would each
  // cost a native allocation, freed only by the GC).
  private readonly rec: number[];
  private next = 0;
  private size = 0;
  private currentSlot = -1;

  constructor(readonly slots: number, readonly slotMs: number) {
    if (!Number.isInteger(slots) || slots < 2) throw new RangeError(`slot series needs at least 2 slots, got ${slots}`);
    if (!(slotMs > 0)) throw new RangeError(`slot length must be positive, got ${slotMs}`);
    this.rec = new Array<number>(slots * 4).fill(0);
  }

  private idx(back: number): number {
    return (this.next - 1 - back + this.slots * 2) % this.slots;
  }

  private start(i: number): number {
    return this.rec[i * 4];
  }

  private first(i: number): number {
    return this.rec[i * 4 + 1];
  }

  private lastV(i: number): number {
    return this.rec[i * 4 + 2];
  }

  private fell(i: number): number {
    return this.rec[i * 4 + 3];
  }

  /** Records a value seen at epoch ms `at`. A drop across a slot boundary counts in the new slot. */
  push(at: number, v: number): void {
    const slot = Math.floor(at / this.slotMs);
    if (this.size > 0 && slot === this.currentSlot) {
      const i = this.idx(0);
      if (v < this.lastV(i)) this.rec[i * 4 + 3] |= WITHIN;
      this.rec[i * 4 + 2] = v;
      return;
    }
    const prev = this.size > 0 ? this.lastV(this.idx(0)) : v;
    const i = this.next;
    this.rec[i * 4] = slot * this.slotMs;
    this.rec[i * 4 + 1] = v;
    this.rec[i * 4 + 2] = v;
    this.rec[i * 4 + 3] = v < prev ? AT_ENTRY : 0;
    this.next = (this.next + 1) % this.slots;
    if (this.size < this.slots) this.size++;
    this.currentSlot = slot;
  }

  /** Whether every slot holds a value: a verdict can only be `covered` then. */
  get full(): boolean {
    return this.size === this.slots;
  }

  /** The verdict over the slots held, as of epoch ms `now`. */
  verdict(now: number): TrendVerdict {
    if (this.size === 0) return { covered: false, fell: false, rise: 0, risingSlots: 0, first: 0, last: 0 };
    const oldest = this.idx(this.size - 1);
    const newest = this.idx(0);
    // Covered: every slot is filled, and the oldest is no older than the window (no long gap).
    const windowMs = this.slots * this.slotMs;
    const covered = this.size === this.slots && this.start(oldest) >= now - windowMs - this.slotMs;
    let fell = false;
    let risingSlots = 0;
    for (let k = this.size - 1; k >= 0; k--) {
      const i = this.idx(k);
      // A drop into the oldest slot happened before the window's first value: it does not count.
      if (this.fell(i) & (k === this.size - 1 ? WITHIN : WITHIN | AT_ENTRY)) fell = true;
      if (k < this.size - 1 && this.lastV(i) > this.lastV(this.idx(k + 1))) risingSlots++;
    }
    return { covered, fell, rise: this.lastV(newest) - this.first(oldest), risingSlots, first: this.first(oldest), last: this.lastV(newest) };
  }
}
