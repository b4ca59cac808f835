// The platform's state in memory and on disk. Writes are applied one at a time, in arrival order,
// each to the state every earlier write left (so no concurrent update is lost), and none is
// answered before the state holding it is on disk. Writes that arrive while the file is being
// saved are saved together next (group commit): one fsync for many writes under load.
//
// Two copies of the state, changed in place (applyChange): the pending one, which writes apply to
// as they arrive, and the durable one, which reads see and which gets a batch's changes once its
// save succeeded. A write costs the same however much is stored; only a save (and undoing after a
// failed one) is proportional to the state.
import { loadState, prepareDataDir, saveState } from './persistence.ts';
import {
  applyChange,
  cloneState,
  emptyPlatformState,
  type PlatformState,
  type StateChange,
} from './state.ts';

export interface StoreWrite<T> {
  /** What the write changes; null when nothing. */
  change: StateChange | null;
  value: T;
}

/** Writes the state to the file; must read `state` before its first await (saveState does). */
export type SaveFunction = (file: string, state: PlatformState) => Promise<void>;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class PlatformStore {
  /** What is on disk: what reads see. */
  #durable: PlatformState;
  /** The durable state plus the writes applied since, not yet on disk. */
  #pending: PlatformState;
  /** Writes applied to #pending since the last save started, and their changes. */
  #waiting: Waiter[] = [];
  #changes: StateChange[] = [];
  #saving: Promise<void> | null = null;

  private constructor(
    state: PlatformState,
    /** Where the state is kept; undefined keeps it in memory only. */
    readonly file: string | undefined,
    readonly save: SaveFunction,
  ) {
    this.#durable = state;
    this.#pending = cloneState(state);
  }

  static async open(file?: string, save: SaveFunction = saveState): Promise<PlatformStore> {
    if (file === undefined) return new PlatformStore(emptyPlatformState(), undefined, save);
    await prepareDataDir(file);
    return new PlatformStore(await loadState(file), file, save);
  }

  /** The last persisted state: reads never see a write that is not yet durable. */
  get state(): PlatformState {
    return this.#durable;
  }

  /**
   * Applies `update`'s change to the latest state and resolves once that state is durable.
   * `update` must not change the state it is given. A write that changes nothing still waits for
   * the writes it saw, since its answer depends on them. If the save fails, every write not yet
   * durable is undone and rejected: none was acknowledged.
   */
  async write<T>(update: (state: PlatformState) => StoreWrite<T>): Promise<T> {
    // Runs before the first await, so updates apply in call order.
    const { change, value } = update(this.#pending);
    if (change === null && this.#saving === null) return value;
    if (change !== null) {
      applyChange(this.#pending, change);
      this.#changes.push(change);
    }
    return await new Promise<T>((resolve, reject) => {
      this.#waiting.push({ resolve: () => resolve(value), reject });
      this.#saving ??= this.#saveLoop();
    });
  }

  async #saveLoop(): Promise<void> {
    // Let write() finish assigning #saving before this loop can end and clear it.
    await Promise.resolve();
    while (this.#waiting.length > 0) {
      const batch = this.#waiting;
      const changes = this.#changes;
      this.#waiting = [];
      this.#changes = [];
      try {
        if (this.file !== undefined && changes.length > 0) {
          await this.save(this.file, this.#pending);
        }
        for (const change of changes) applyChange(this.#durable, change);
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        // Writes queued meanwhile were applied on top of the lost ones: they go too.
        const failed = [...batch, ...this.#waiting];
        this.#waiting = [];
        this.#changes = [];
        this.#pending = cloneState(this.#durable);
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
