// The platform's state in memory and on disk. Writes are applied one at a time, in arrival order,
// each to the state every earlier write left (so no concurrent update is lost), and none is
// answered before the state holding it is on disk. Writes that arrive while the file is being
// saved are saved together next (group commit): one fsync for many writes under load.
import { loadState, prepareDataDir, saveState } from './persistence.ts';
import { emptyPlatformState, type PlatformState } from './state.ts';

export interface StoreWrite<T> {
  /** The next state; the same object when nothing changed. */
  next: PlatformState;
  value: T;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class PlatformStore {
  /** What is on disk: what reads see. */
  #durable: PlatformState;
  /** The durable state plus the writes applied since, not yet on disk. */
  #head: PlatformState;
  /** Writes applied to #head since the last save started. */
  #waiting: Waiter[] = [];
  #saving: Promise<void> | null = null;

  private constructor(
    state: PlatformState,
    /** Where the state is kept; undefined keeps it in memory only. */
    readonly file: string | undefined,
  ) {
    this.#durable = state;
    this.#head = state;
  }

  static async open(file?: string): Promise<PlatformStore> {
    if (file === undefined) return new PlatformStore(emptyPlatformState(), undefined);
    await prepareDataDir(file);
    return new PlatformStore(await loadState(file), file);
  }

  /** The last persisted state: reads never see a write that is not yet durable. */
  get state(): PlatformState {
    return this.#durable;
  }

  /**
   * Applies `update` to the latest state and resolves once that state is durable. A write that
   * changes nothing still waits for the writes it saw, since its answer depends on them. If the
   * save fails, every write not yet durable is undone and rejected: none was acknowledged.
   */
  async write<T>(update: (state: PlatformState) => StoreWrite<T>): Promise<T> {
    // Runs before the first await, so updates apply in call order.
    const result = update(this.#head);
    if (result.next === this.#head && this.#head === this.#durable) return result.value;
    this.#head = result.next;
    return await new Promise<T>((resolve, reject) => {
      this.#waiting.push({ resolve: () => resolve(result.value), reject });
      this.#saving ??= this.#saveLoop();
    });
  }

  async #saveLoop(): Promise<void> {
    // Let write() finish assigning #saving before this loop can end and clear it.
    await Promise.resolve();
    while (this.#waiting.length > 0) {
      const batch = this.#waiting;
      this.#waiting = [];
      const snapshot = this.#head;
      try {
        if (this.file !== undefined && snapshot !== this.#durable) {
          await saveState(this.file, snapshot);
        }
        this.#durable = snapshot;
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        // Writes queued meanwhile were applied on top of the lost ones: they go too.
        const failed = [...batch, ...this.#waiting];
        this.#waiting = [];
        this.#head = this.#durable;
        for (const waiter of failed) waiter.reject(error);
      }
    }
    this.#saving = null;
  }

  /** Resolves once every write so far is durable (or refused). */
  async idle(): Promise<void> {
    while (this.#saving) await this.#saving;
  }
}
