// Drawing on canvases: the decision boundary (or regression surface), the points, the loss
// curves and the network. Colour-blind safe (Okabe-Ito): orange #E69F00 for class 0 and
// negative numbers, blue #0072B2 for class 1 and positive numbers, more classes from the same
// palette, and one marker shape per class so that colour is never the only cue.

export const CLASS_COLOURS = [
  [230, 159, 0], // orange
  [0, 114, 178], // blue
  [0, 158, 115], // bluish green
  [204, 121, 167], // reddish purple
  [86, 180, 233], // sky blue
  [213, 94, 0], // vermillion
  [240, 228, 66], // yellow
  [0, 0, 0], // black
];
const ORANGE = CLASS_COLOURS[0];
const BLUE = CLASS_COLOURS[1];
const SHAPES = ["circle", "square", "triangle", "diamond", "down", "cross", "plus", "star"];

export function rgb(c, alpha = 1) {
  return alpha === 1 ? `rgb(${c[0]},${c[1]},${c[2]})` : `rgba(${c[0]},${c[1]},${c[2]},${alpha})`;
}

/** Diverging scale: t in [-1, 1] -> orange .. white .. blue, at most `strength` of the colour. */
function diverging(t, strength) {
  const s = Math.min(1, Math.abs(t)) * strength;
  const c = t < 0 ? ORANGE : BLUE;
  return [255 + (c[0] - 255) * s, 255 + (c[1] - 255) * s, 255 + (c[2] - 255) * s];
}

const LUT_SIZE = 256;
function makeLut(strength) {
  const lut = new Uint8ClampedArray(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const c = diverging((i / (LUT_SIZE - 1)) * 2 - 1, strength);
    lut.set(c, i * 3);
  }
  return lut;
}
const BOUNDARY_LUT = makeLut(0.8);
const UNIT_LUT = makeLut(1);

function lutIndex(t) {
  // t in [-1, 1]; NaN maps to the middle (white)
  if (!(t === t)) return (LUT_SIZE >> 1) * 3;
  const u = Math.max(0, Math.min(1, (t + 1) / 2));
  return Math.round(u * (LUT_SIZE - 1)) * 3;
}

/** A small offscreen canvas, reused per key, holding nx x ny pixels. */
const scratch = new Map();
function pixelCanvas(key, nx, ny) {
  let entry = scratch.get(key);
  if (!entry || entry.canvas.width !== nx || entry.canvas.height !== ny) {
    const canvas = document.createElement("canvas");
    canvas.width = nx;
    canvas.height = ny;
    const ctx = canvas.getContext("2d");
    entry = { canvas, ctx, image: ctx.createImageData(nx, ny) };
    scratch.set(key, entry);
  }
  return entry;
}

/**
 * Turn a grid of values (row-major, top row first) into a canvas of nx x ny pixels.
 * mode: "binary" (P(class 1)), "multiclass" (k + confidence), "regression" (value in
 * [lo, hi]) or "unit" (an activation, centred on 0 and scaled by its largest size).
 */
export function gridImage(key, grid, mode, lo = 0, hi = 1, nClasses = 2) {
  const { nx, ny, values } = grid;
  const entry = pixelCanvas(key, nx, ny);
  const data = entry.image.data;
  const n = nx * ny;
  if (mode === "multiclass") {
    const floor = 1 / Math.max(2, nClasses);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      const k = Math.max(0, Math.floor(v));
      const c = CLASS_COLOURS[k % CLASS_COLOURS.length];
      const conf = Math.max(0, Math.min(1, (v - k - floor) / (1 - floor)));
      const s = 0.15 + 0.65 * conf;
      data[i * 4] = 255 + (c[0] - 255) * s;
      data[i * 4 + 1] = 255 + (c[1] - 255) * s;
      data[i * 4 + 2] = 255 + (c[2] - 255) * s;
      data[i * 4 + 3] = 255;
    }
  } else {
    const lut = mode === "unit" ? UNIT_LUT : BOUNDARY_LUT;
    let scale;
    let offset;
    if (mode === "binary") {
      scale = 2;
      offset = -1;
    } else if (mode === "unit") {
      const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
      scale = 1 / m;
      offset = 0;
    } else {
      const span = hi - lo || 1;
      scale = 2 / span;
      offset = -1 - lo * scale;
    }
    for (let i = 0; i < n; i++) {
      const j = lutIndex(values[i] * scale + offset);
      data[i * 4] = lut[j];
      data[i * 4 + 1] = lut[j + 1];
      data[i * 4 + 2] = lut[j + 2];
      data[i * 4 + 3] = 255;
    }
  }
  entry.ctx.putImageData(entry.image, 0, 0);
  return entry.canvas;
}

/** Size the canvas's backing store to its CSS box times the device pixel ratio. */
export function fitCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const h = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { ctx, width: canvas.clientWidth, height: canvas.clientHeight };
}

function marker(ctx, shape, x, y, r) {
  ctx.beginPath();
  switch (shape) {
    case "square":
      ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
      break;
    case "triangle":
      ctx.moveTo(x, y - r * 1.1);
      ctx.lineTo(x + r, y + r * 0.8);
      ctx.lineTo(x - r, y + r * 0.8);
      ctx.closePath();
      break;
    case "down":
      ctx.moveTo(x, y + r * 1.1);
      ctx.lineTo(x + r, y - r * 0.8);
      ctx.lineTo(x - r, y - r * 0.8);
      ctx.closePath();
      break;
    case "diamond":
      ctx.moveTo(x, y - r * 1.2);
      ctx.lineTo(x + r * 1.2, y);
      ctx.lineTo(x, y + r * 1.2);
      ctx.lineTo(x - r * 1.2, y);
      ctx.closePath();
      break;
    case "cross":
    case "plus":
    case "star": {
      const a = shape === "plus" ? 0 : Math.PI / 4;
      const w = r * 0.45;
      for (let q = 0; q < 4; q++) {
        const ang = a + (q * Math.PI) / 2;
        const cx = Math.cos(ang);
        const sy = Math.sin(ang);
        ctx.moveTo(x - sy * w, y + cx * w);
        ctx.lineTo(x - sy * w + cx * r * 1.2, y + cx * w + sy * r * 1.2);
        ctx.lineTo(x + sy * w + cx * r * 1.2, y - cx * w + sy * r * 1.2);
        ctx.lineTo(x + sy * w, y - cx * w);
      }
      ctx.closePath();
      break;
    }
    default:
      ctx.arc(x, y, r, 0, Math.PI * 2);
  }
}

/** The shape and colour of a class index (regression points use the scale instead). */
export function classStyle(k) {
  return { shape: SHAPES[k % SHAPES.length], colour: CLASS_COLOURS[k % CLASS_COLOURS.length] };
}

/** Index of a label in data.classes (labels may be numbers or strings). */
function classIndex(classes, label) {
  const i = classes.indexOf(label);
  if (i >= 0) return i;
  const j = classes.findIndex((c) => String(c) === String(label));
  return j >= 0 ? j : Number(label) || 0;
}

/**
 * Draw the boundary picture (or unitGrid, one hidden unit's FRAME.units entry) and the points
 * onto the output canvas; returns the boundary picture (a small canvas, or null).
 * data: DATA; frame: FRAME; showTest: draw the test points hollow.
 */
export function drawOutput(canvas, data, frame, showTest, range, unitGrid = null) {
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.clearRect(0, 0, width, height);
  const task = data ? data.task : "binary";
  const nClasses = data && data.classes ? data.classes.length : 2;
  let img = null;
  if (frame && frame.boundary && frame.boundary.values && frame.boundary.values.length) {
    const mode = task === "regression" ? "regression" : task;
    img = gridImage("boundary", frame.boundary, mode, range[0], range[1], nClasses);
  }
  // one hidden unit's output instead of the network's, when the user asked for it
  const background = unitGrid ? gridImage("plane-unit", unitGrid, "unit", unitGrid.min, unitGrid.max) : img;
  if (background) {
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(background, 0, 0, width, height);
  } else {
    ctx.fillStyle = "#f4f4f4";
    ctx.fillRect(0, 0, width, height);
  }
  if (!data || !data.extent) return img;
  const [x0, x1, y0, y1] = data.extent;
  const sx = width / (x1 - x0 || 1);
  const sy = height / (y1 - y0 || 1);
  const r = Math.max(2.5, Math.min(4.5, width / 90));
  const draw = (part, hollow) => {
    if (!part || !part.x) return;
    for (let i = 0; i < part.x.length; i++) {
      const px = (part.x[i][0] - x0) * sx;
      const py = (y1 - part.x[i][1]) * sy;
      let shape;
      let colour;
      if (task === "regression") {
        shape = "circle";
        const span = range[1] - range[0] || 1;
        colour = diverging(((part.y[i] - range[0]) / span) * 2 - 1, 1);
      } else {
        ({ shape, colour } = classStyle(classIndex(data.classes || [], part.y[i])));
      }
      marker(ctx, shape, px, py, r);
      if (hollow) {
        ctx.lineWidth = 2;
        ctx.strokeStyle = rgb(colour);
        ctx.fillStyle = "rgba(255,255,255,0.7)";
        ctx.fill();
        ctx.stroke();
      } else {
        ctx.lineWidth = 1;
        ctx.fillStyle = rgb(colour);
        ctx.strokeStyle = "#222";
        ctx.fill();
        ctx.stroke();
      }
    }
  };
  draw(data.train, false);
  if (showTest) draw(data.test, true);
  axisNames(ctx, data, width, height);
  return img;
}

/** The names of the plane's axes (the shown columns for a CSV file), with a white halo. */
function axisNames(ctx, data, width, height) {
  ctx.font = "12px system-ui, sans-serif";
  ctx.lineWidth = 3;
  ctx.strokeStyle = "rgba(255,255,255,0.85)";
  ctx.fillStyle = "#222";
  const label = (text, x, y, align, baseline) => {
    if (!text) return;
    ctx.textAlign = align;
    ctx.textBaseline = baseline;
    ctx.strokeText(text, x, y);
    ctx.fillText(text, x, y);
  };
  label(data.x_name, width - 4, height - 3, "right", "bottom");
  ctx.save();
  ctx.translate(3, 4);
  ctx.rotate(-Math.PI / 2);
  label(data.y_name, 0, 0, "right", "top");
  ctx.restore();
}

/** A legend canvas: the colour scale for the task (with its labels) and the markers. */
export function drawLegend(canvas, data, range, labels) {
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.clearRect(0, 0, width, height);
  ctx.font = "12px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  const task = data ? data.task : "binary";
  if (task === "regression") {
    const lo = fmt(range[0]);
    const hi = fmt(range[1]);
    const pad = Math.max(ctx.measureText(lo).width, ctx.measureText(hi).width) + 8;
    const barW = Math.max(20, width - 2 * pad);
    for (let i = 0; i < barW; i++) {
      ctx.fillStyle = rgb(diverging((i / (barW - 1)) * 2 - 1, 0.8));
      ctx.fillRect(pad + i, 4, 1, 14);
    }
    ctx.strokeStyle = "#666";
    ctx.strokeRect(pad, 4, barW, 14);
    ctx.fillStyle = "#222";
    ctx.textAlign = "right";
    ctx.fillText(lo, pad - 4, 11);
    ctx.textAlign = "left";
    ctx.fillText(hi, pad + barW + 4, 11);
    ctx.textAlign = "center";
    ctx.fillText(labels.value, pad + barW / 2, 30);
    return;
  }
  let x = 4;
  let y = 11;
  const classes = data && data.classes ? data.classes : [0, 1];
  classes.forEach((label, k) => {
    const { shape, colour } = classStyle(k);
    const text = labels.classText(label);
    const w = ctx.measureText(text).width + 24;
    if (x + w > width) {
      x = 4;
      y += 18;
    }
    marker(ctx, shape, x + 6, y, 5);
    ctx.fillStyle = rgb(colour);
    ctx.strokeStyle = "#222";
    ctx.lineWidth = 1;
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = "#222";
    ctx.textAlign = "left";
    ctx.fillText(text, x + 15, y);
    x += w;
  });
  y += 19;
  x = 4;
  for (const [hollow, text] of [
    [false, labels.train],
    [true, labels.test],
  ]) {
    marker(ctx, "circle", x + 6, y, 5);
    ctx.lineWidth = hollow ? 2 : 1;
    ctx.strokeStyle = hollow ? "#555" : "#222";
    ctx.fillStyle = hollow ? "#fff" : "#888";
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = "#222";
    ctx.fillText(text, x + 15, y);
    x += ctx.measureText(text).width + 32;
  }
}

export function fmt(v, digits = 4) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toFixed(digits);
}
