// The live picture while playing: a pump fetches /api/frame (one request in flight at a time,
// at most one every MIN_FRAME_MS so that the training thread keeps most of the CPU) and an
// animation-frame loop draws the newest frame that came back.

const MIN_FRAME_MS = 35; // ~28 frames/s on 2 busy cores, training at 0.54 of fit (benchmarks/playground.py)
const STATE_SYNC_MS = 2000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class FrameLoop {
  /**
   * isPlaying(): whether the run plays; fetchFrame() -> FRAME; fetchState() -> STATE (every
   * 2 s, to notice a run the server paused by itself, e.g. diverged); onFrame(frame) draws;
   * onRun(run) takes a RUN; onError(err, fatal) shows it (fatal: the server is gone).
   */
  constructor({ isPlaying, fetchFrame, fetchState, onFrame, onRun, onError }) {
    Object.assign(this, { isPlaying, fetchFrame, fetchState, onFrame, onRun, onError });
    this.pumping = false;
    this.drawing = false;
    this.pending = null;
  }

  start() {
    if (!this.pumping) this.pump();
    if (!this.drawing) {
      this.drawing = true;
      requestAnimationFrame(() => this.tick());
    }
  }

  async pump() {
    this.pumping = true;
    let lastSync = performance.now();
    try {
      while (this.isPlaying()) {
        if (document.hidden) {
          await sleep(250); // a page out of sight draws nothing: fetch nothing either
          continue;
        }
        const started = performance.now();
        let frame;
        try {
          if (started - lastSync > STATE_SYNC_MS) {
            lastSync = started;
            const state = await this.fetchState();
            if (!this.isPlaying()) break;
            this.onRun(state.run);
            frame = state.frame;
          } else {
            frame = await this.fetchFrame();
          }
        } catch (err) {
          const fatal = err.code === "lost" || err.status === 403;
          this.onError(err, fatal);
          if (fatal) break;
          await sleep(500); // a refused frame: show it and try again
          continue;
        }
        if (!this.isPlaying()) break; // a paused run draws its own last frame
        this.pending = frame;
        const wait = MIN_FRAME_MS - (performance.now() - started);
        if (wait > 0) await sleep(wait);
      }
    } finally {
      this.pumping = false;
    }
  }

  tick() {
    if (this.pending && this.isPlaying()) this.onFrame(this.pending);
    this.pending = null;
    if (this.isPlaying()) requestAnimationFrame(() => this.tick());
    else this.drawing = false;
  }
}
