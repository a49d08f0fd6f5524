// Auto-refresh: re-runs the current page's refresh every 30 s unless paused.
// Ticks are skipped while a dialog is open (a reload under a form is jarring)
// and while the tab is hidden (no point polling nobody).

export const REFRESH_INTERVAL_MS = 30_000;

export class AutoRefresh {
  private timer: number | undefined;
  private task: (() => Promise<void>) | null = null;
  private running = false;
  paused = false;
  lastRun: Date | null = null;

  constructor(private readonly onChange: () => void) {}

  /** The current page's refresh; null for pages with nothing to refresh. */
  setTask(task: (() => Promise<void>) | null): void {
    this.task = task;
    this.lastRun = task ? new Date() : null;
    this.onChange();
  }

  start(): void {
    this.stop();
    this.timer = window.setInterval(() => {
      if (this.paused || document.hidden || document.querySelector('.modal.show')) return;
      void this.runNow();
    }, REFRESH_INTERVAL_MS);
  }

  stop(): void {
    if (this.timer !== undefined) window.clearInterval(this.timer);
    this.timer = undefined;
  }

  toggle(): void {
    this.paused = !this.paused;
    this.onChange();
  }

  async runNow(): Promise<void> {
    if (!this.task || this.running) return;
    this.running = true;
    try {
      await this.task();
      this.lastRun = new Date();
    } finally {
      this.running = false;
      this.onChange();
    }
  }
}
