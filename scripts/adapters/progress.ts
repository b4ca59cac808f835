// A spinner on stderr for work that may take a while (history at scale, opening a pull request).
// Drawn only on a terminal, and only once the work has run for a moment, so quick runs and logs
// stay clean; stdout (and --json) is never touched.

export interface ProgressOutput {
  stderr: (text: string) => void;
  isTTY: boolean;
}

export interface ProgressOptions {
  /** Milliseconds before the spinner appears. Default 300. */
  delayMs?: number;
  /** Milliseconds between frames. Default 80. */
  intervalMs?: number;
}

export interface Spinner {
  /** Changes the label. */
  update(label: string): void;
  /** Clears the spinner's line. */
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\u001b[2K';

export function startSpinner(
  out: ProgressOutput,
  label: string,
  options: ProgressOptions = {},
): Spinner {
  if (!out.isTTY) return { update: () => {}, stop: () => {} };
  let text = label;
  let frame = 0;
  let drawn = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const draw = (): void => {
    out.stderr(`${CLEAR_LINE}${FRAMES[frame++ % FRAMES.length]!} ${text}…`);
    drawn = true;
  };
  const delay = setTimeout(() => {
    draw();
    timer = setInterval(draw, options.intervalMs ?? 80);
    timer.unref();
  }, options.delayMs ?? 300);
  delay.unref();
  return {
    update(next) {
      text = next;
      if (drawn) draw();
    },
    stop() {
      clearTimeout(delay);
      if (timer) clearInterval(timer);
      if (drawn) out.stderr(CLEAR_LINE);
      drawn = false;
    },
  };
}

/** Runs `work` with a spinner labelled `label`, cleared when it settles. */
export async function withSpinner<T>(
  out: ProgressOutput,
  label: string,
  work: () => Promise<T>,
  options: ProgressOptions = {},
): Promise<T> {
  const spinner = startSpinner(out, label, options);
  try {
    return await work();
  } finally {
    spinner.stop();
  }
}
