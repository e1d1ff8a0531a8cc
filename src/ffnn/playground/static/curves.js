// The loss curves: train solid blue, test dashed vermillion (two cues, not only colour), on a
// log scale when the loss falls by orders of magnitude.

// Imported through the page's token (the server serves static files only with ?token=).
const here = new URL(import.meta.url);
const drawUrl = new URL("./draw.js", here);
drawUrl.search = here.search;
const { fitCanvas, fmt } = await import(drawUrl.href);

/** Draw FRAME.curve; labels: {train, test, log, step} in the page's language. */
export function drawCurves(canvas, curve, labels) {
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.clearRect(0, 0, width, height);
  const left = 52;
  const right = width - 8;
  const top = 8;
  const bottom = height - 22;
  ctx.strokeStyle = "#888";
  ctx.lineWidth = 1;
  ctx.strokeRect(left, top, right - left, bottom - top);
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = "#333";
  if (!curve || !curve.step || curve.step.length === 0) return;
  const steps = curve.step;
  const series = [
    { values: curve.train || [], colour: "#0072B2", dash: [], label: labels.train },
    { values: curve.test || [], colour: "#D55E00", dash: [6, 4], label: labels.test },
  ];
  let hi = 0;
  let lo = Infinity;
  for (const s of series) {
    for (const v of s.values) {
      if (!Number.isFinite(v)) continue;
      if (v > hi) hi = v;
      if (v > 0 && v < lo) lo = v;
    }
  }
  hi = hi || 1;
  // a loss that falls by orders of magnitude is drawn on a log scale (else it hugs the axis)
  const logScale = Number.isFinite(lo) && hi / lo > 100;
  const bottomValue = logScale ? lo : 0;
  const s0 = steps[0];
  const s1 = Math.max(steps[steps.length - 1], s0 + 1);
  const px = (s) => left + ((s - s0) / (s1 - s0)) * (right - left);
  const py = logScale
    ? (v) => bottom - ((Math.log(Math.max(v, lo)) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * (bottom - top)
    : (v) => bottom - (Math.min(v, hi) / hi) * (bottom - top);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  ctx.fillText(fmt(hi, 3), left - 4, top + 4);
  ctx.fillText(logScale ? fmt(bottomValue, 3) : "0", left - 4, bottom);
  if (logScale) ctx.fillText(labels.log, left - 4, (top + bottom) / 2);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.fillText(String(s0), left, bottom + 4);
  ctx.fillText(String(steps[steps.length - 1]), right - 10, bottom + 4);
  ctx.fillText(labels.step, (left + right) / 2, bottom + 4);
  let legendX = left + 8;
  for (const s of series) {
    if (!s.values.some((v) => Number.isFinite(v))) continue;
    ctx.strokeStyle = s.colour;
    ctx.lineWidth = 2;
    ctx.setLineDash(s.dash);
    ctx.beginPath();
    let started = false;
    for (let i = 0; i < steps.length && i < s.values.length; i++) {
      const v = s.values[i];
      if (!Number.isFinite(v)) {
        started = false;
        continue;
      }
      if (started) ctx.lineTo(px(steps[i]), py(v));
      else ctx.moveTo(px(steps[i]), py(v));
      started = true;
    }
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(legendX, top + 10);
    ctx.lineTo(legendX + 22, top + 10);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(s.label, legendX + 26, top + 10);
    legendX += ctx.measureText(s.label).width + 44;
  }
  ctx.setLineDash([]);
}
