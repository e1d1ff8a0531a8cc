// The network picture: one column per layer (input, hidden..., output), each hidden unit a
// small picture of its output over the plane (FRAME.units), each weight a line whose width
// shows its size and whose colour its sign (blue positive, orange negative).

// Imported through the page's token (the server serves static files only with ?token=).
const here = new URL(import.meta.url);
const drawUrl = new URL("./draw.js", here);
drawUrl.search = here.search;
const { CLASS_COLOURS, fitCanvas, gridImage, rgb } = await import(drawUrl.href);

const POSITIVE = "0,114,178";
const NEGATIVE = "230,159,0";
const LEVELS = 8; // weight sizes drawn as this many widths

/** The x centre of column c of n in a box of the given width (the controls use the same grid). */
export function columnCentre(c, n, width) {
  return ((c + 0.5) * width) / n;
}

function inputGrid(axis, n = 20) {
  const values = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      values[r * n + c] = axis === 0 ? (c / (n - 1)) * 2 - 1 : 1 - (r / (n - 1)) * 2;
    }
  }
  return { nx: n, ny: n, values };
}
const INPUT_GRIDS = [inputGrid(0), inputGrid(1)];

/** text, shortened with an ellipsis to fit width pixels. */
function fitText(ctx, text, width) {
  if (ctx.measureText(text).width <= width) return text;
  let n = text.length;
  while (n > 1 && ctx.measureText(`${text.slice(0, n)}…`).width > width) n -= 1;
  return `${text.slice(0, n)}…`;
}

/** Layer sizes [n_in, hidden..., n_out] from the frame's weights, else from the settings. */
export function layerSizes(frame, config, data) {
  if (frame && Array.isArray(frame.weights) && frame.weights.length) {
    const sizes = [frame.weights[0].W.length];
    for (const w of frame.weights) sizes.push(w.W.length ? w.W[0].length : w.b.length);
    return sizes;
  }
  const hidden = config.network.hidden.map((h) => h.units);
  const nIn = config.data.kind === "csv" && config.data.features ? config.data.features.length : 2;
  const nOut = data && data.task === "multiclass" ? data.classes.length : 1;
  return [nIn, ...hidden, nOut];
}

/** Group FRAME.units by hidden layer, in layer order: [[unit grid, ...], ...]. */
function unitsByLayer(frame) {
  const groups = new Map();
  for (const u of (frame && frame.units) || []) {
    if (!groups.has(u.layer)) groups.set(u.layer, []);
    groups.get(u.layer).push(u);
  }
  return [...groups.keys()]
    .sort((a, b) => a - b)
    .map((k) => groups.get(k).sort((a, b) => a.unit - b.unit));
}

/**
 * Draw the network. inputNames: labels of the input nodes; task: "binary"|...;
 * boundaryImage: the output canvas's picture (drawn in a single output node) or null.
 * highlight: "L:J" of the hidden unit shown on the plane (framed in black), or null.
 * Returns the layout {positions: [[{x, y}]] per column, size} (for nodeAt).
 */
export function drawNetwork(canvas, sizes, frame, inputNames, task, boundaryImage, highlight = null) {
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.clearRect(0, 0, width, height);
  const nCols = sizes.length;
  const largest = Math.max(...sizes);
  const size = Math.max(8, Math.min(40, (height - 16) / largest - 6, width / nCols / 2.2));
  const gap = Math.min(12, Math.max(2, (height - 16 - largest * size) / Math.max(1, largest - 1)));
  const positions = sizes.map((n, c) => {
    const total = n * size + (n - 1) * gap;
    const y0 = (height - total) / 2;
    const x = columnCentre(c, nCols, width);
    return Array.from({ length: n }, (_, j) => ({ x, y: y0 + j * (size + gap) + size / 2 }));
  });

  // weights first, under the nodes
  const weights = (frame && frame.weights) || [];
  let maxAbs = 0;
  for (const w of weights) {
    for (const row of w.W) for (const v of row) if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
  }
  maxAbs = maxAbs || 1;
  // lines in LEVELS buckets of size per sign, one path each: a 6x32 network has ~5,000 weights
  const paths = [POSITIVE, NEGATIVE].map(() => Array.from({ length: LEVELS }, () => new Path2D()));
  for (let l = 0; l < weights.length && l + 1 < positions.length; l++) {
    const W = weights[l].W;
    const from = positions[l];
    const to = positions[l + 1];
    for (let i = 0; i < W.length && i < from.length; i++) {
      for (let j = 0; j < W[i].length && j < to.length; j++) {
        const v = W[i][j];
        if (!Number.isFinite(v)) continue;
        const level = Math.min(LEVELS - 1, Math.floor((Math.abs(v) / maxAbs) * LEVELS));
        const path = paths[v >= 0 ? 0 : 1][level];
        path.moveTo(from[i].x + size / 2, from[i].y);
        path.lineTo(to[j].x - size / 2, to[j].y);
      }
    }
  }
  // small weights first, so that the large ones (of either sign) lie on top
  for (let level = 0; level < LEVELS; level++) {
    const m = (level + 0.5) / LEVELS;
    ctx.lineWidth = 0.5 + 5 * m;
    [POSITIVE, NEGATIVE].forEach((colour, sign) => {
      ctx.strokeStyle = `rgba(${colour},${0.25 + 0.75 * m})`;
      ctx.stroke(paths[sign][level]);
    });
  }

  ctx.imageSmoothingEnabled = true;
  const frameBox = (p) => {
    ctx.lineWidth = 1;
    ctx.strokeStyle = "#444";
    ctx.strokeRect(p.x - size / 2, p.y - size / 2, size, size);
  };
  // inputs
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  positions[0].forEach((p, i) => {
    if (sizes[0] === 2 && i < 2) {
      ctx.drawImage(gridImage(`in${i}`, INPUT_GRIDS[i], "unit", -1, 1), p.x - size / 2, p.y - size / 2, size, size);
    } else {
      ctx.fillStyle = "#e8e8e8";
      ctx.fillRect(p.x - size / 2, p.y - size / 2, size, size);
    }
    frameBox(p);
    // names only when they match the inputs one to one (a text column becomes several)
    const name = inputNames.length === sizes[0] ? inputNames[i] : `x${i + 1}`;
    ctx.fillStyle = "#222";
    ctx.fillText(fitText(ctx, name, p.x - size / 2 - 6), p.x - size / 2 - 4, p.y);
  });
  // hidden units
  const units = unitsByLayer(frame);
  for (let l = 1; l < nCols - 1; l++) {
    const grids = units[l - 1] || [];
    positions[l].forEach((p, j) => {
      const g = grids[j];
      if (g && g.values && g.values.length) {
        const img = gridImage(`u${l}_${j}`, g, "unit", g.min, g.max);
        ctx.drawImage(img, p.x - size / 2, p.y - size / 2, size, size);
      } else {
        ctx.fillStyle = "#f4f4f4";
        ctx.fillRect(p.x - size / 2, p.y - size / 2, size, size);
      }
      frameBox(p);
      if (highlight === `${l}:${j + 1}`) {
        ctx.lineWidth = 3;
        ctx.strokeStyle = "#000";
        ctx.strokeRect(p.x - size / 2 - 2, p.y - size / 2 - 2, size + 4, size + 4);
      }
    });
  }
  // outputs
  const out = positions[nCols - 1];
  out.forEach((p, k) => {
    if (out.length === 1 && boundaryImage) {
      ctx.drawImage(boundaryImage, p.x - size / 2, p.y - size / 2, size, size);
    } else {
      ctx.fillStyle = rgb(CLASS_COLOURS[k % CLASS_COLOURS.length], task === "multiclass" ? 0.8 : 0.2);
      ctx.fillRect(p.x - size / 2, p.y - size / 2, size, size);
    }
    frameBox(p);
  });
  return { positions, size };
}

/** The node under (x, y) of a layout drawNetwork returned: {column, index}, or null. */
export function nodeAt(layout, x, y) {
  if (!layout) return null;
  const half = layout.size / 2 + 2;
  for (let column = 0; column < layout.positions.length; column++) {
    const index = layout.positions[column].findIndex((p) => Math.abs(p.x - x) <= half && Math.abs(p.y - y) <= half);
    if (index >= 0) return { column, index };
  }
  return null;
}

/**
 * Call onChange("L:J") when the mouse comes over hidden unit J of hidden layer L (from 1) of
 * the picture, and onChange(null) when it leaves the units; getLayout() gives the last layout.
 */
export function watchHover(canvas, getLayout, onChange) {
  let current = null;
  const set = (unit) => {
    canvas.style.cursor = unit ? "pointer" : "";
    if (unit !== current) {
      current = unit;
      onChange(unit);
    }
  };
  canvas.addEventListener("mousemove", (event) => {
    const layout = getLayout();
    const node = nodeAt(layout, event.offsetX, event.offsetY);
    const last = layout ? layout.positions.length - 1 : 0;
    set(node && node.column > 0 && node.column < last ? `${node.column}:${node.index + 1}` : null);
  });
  canvas.addEventListener("mouseleave", () => set(null));
}
