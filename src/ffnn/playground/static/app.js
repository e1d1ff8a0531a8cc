// The ffnn playground page: reads the state from the server, draws it, sends the settings,
// and while playing polls /api/frame from a requestAnimationFrame loop (one request in
// flight at a time). window.ffnnPlayground exposes {framesDrawn, lastFrame, lastError,
// ready, ...} for the tests and the benchmark.

// The server serves static files only with ?token=: sibling modules are imported with it.
const here = new URL(import.meta.url);
function sibling(name) {
  const url = new URL(`./${name}`, here);
  url.search = here.search;
  return url.href;
}
const MODULES = ["api.js", "i18n.js", "draw.js", "curves.js", "network.js", "layers.js", "csv.js", "loop.js", "controls.js"];
const [apiModule, i18n, draw, curves, network, layers, csv, loop, controls] = await Promise.all(
  MODULES.map((m) => import(sibling(m))),
);
const { Api, ApiError, pageToken } = apiModule;
const { t } = i18n;

const $ = (id) => document.getElementById(id);
const api = new Api(pageToken());
const page = {
  framesDrawn: 0,
  drawMs: 0, // time spent drawing frames, all together
  lastFrame: null,
  lastError: null,
  ready: false,
  playing: false,
  config: null,
  run: null,
  data: null,
  lastExplain: null,
  missingTranslations: i18n.checkComplete(),
};
window.ffnnPlayground = page;
if (page.missingTranslations.length) console.warn("untranslated:", page.missingTranslations);

let csvChosen = false; // "Your CSV file" picked but not yet applied
let yRange = [0, 1]; // regression colour scale, from the data's targets
let networkLayout = null; // where drawNetwork put the nodes (for the mouse)
let hoverUnit = null; // "L:J" of the hidden unit under the mouse, shown on the plane
const picker = new csv.CsvPicker({
  info: "csv-info",
  columns: "csv-columns",
  target: "csv-target",
  features: "csv-features",
  shownX: "csv-shown-x",
  shownY: "csv-shown-y",
});

// ---- messages ------------------------------------------------------------------------

function showError(err) {
  const text = i18n.errorText(err);
  page.lastError = { status: err.status ?? null, code: err.code ?? "client", message: text };
  const box = $("message");
  box.className = "message error";
  box.textContent = text;
}

function showInfo(text) {
  const box = $("message");
  box.className = "message info";
  box.textContent = text;
}

function clearMessage() {
  $("message").textContent = "";
}

/** Run an action; any failure becomes a message in the page, never a broken page. */
let queue = Promise.resolve();
function act(action) {
  queue = queue.then(action).catch((err) => {
    showError(err);
    if (page.config) fillControls(page.config); // a refused setting shows the value in force
  });
  return queue;
}

// ---- rendering -------------------------------------------------------------------------

function fillControls(config) {
  const task = page.data ? page.data.task : null;
  controls.fillSettings(config, csvChosen ? "csv" : config.data.kind, task, t, layers.MAX_LAYERS);
}

function setRun(run) {
  if (!run) return;
  page.run = run;
  const playing = run.state === "playing";
  const button = $("play-pause");
  button.textContent = t(playing ? "pause" : "play");
  $("one-step").disabled = playing;
  const state = $("run-state");
  state.textContent = t(playing ? "state.playing" : "state.paused");
  state.classList.toggle("playing", playing);
  if (run.diverged) showError(new ApiError(0, "diverged", t("diverged")));
  const wasPlaying = page.playing;
  page.playing = playing;
  if (playing && !wasPlaying) frameLoop.start();
}

function setData(data) {
  page.data = data;
  if (data && data.task === "regression") {
    let lo = Infinity;
    let hi = -Infinity;
    for (const part of [data.train, data.test]) {
      for (const v of (part && part.y) || []) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    yRange = Number.isFinite(lo) && hi > lo ? [lo, hi] : [0, 1];
  }
}

function readout(id, value) {
  const node = $(id);
  // losses as the tutorial prints them (6 decimals); tiny ones in exponent form
  const small = Number.isFinite(value) && value !== 0 && Math.abs(value) < 1e-5;
  node.textContent = !Number.isFinite(value) ? t("none") : small ? value.toExponential(3) : value.toFixed(6);
  node.dataset.value = value === null || value === undefined ? "" : String(value);
}

function percent(id, value) {
  const node = $(id);
  node.textContent = Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : t("none");
  node.dataset.value = Number.isFinite(value) ? String(value) : "";
}

function inputNames() {
  const config = page.config;
  if (config.data.kind === "csv" && config.data.features) return config.data.features;
  const data = page.data;
  return [data && data.x_name ? data.x_name : "x1", data && data.y_name ? data.y_name : "x2"];
}

function renderFrame(frame) {
  if (!frame || !page.config) return;
  const started = performance.now();
  page.lastFrame = frame;
  const data = page.data;
  const task = data ? data.task : "binary";
  const range = task === "regression" ? yRange : [0, 1];
  const canvas = $("boundary-canvas");
  const view = hoverUnit ?? $("plane-view").value ?? "output";
  const [layer, unit] = view.split(":").map(Number);
  const unitGrid = view === "output" ? null : (frame.units || []).find((u) => u.layer === layer && u.unit === unit - 1);
  const boundaryImage = draw.drawOutput(canvas, data, frame, $("show-test").checked, range, unitGrid);
  const what = unitGrid ? t("plane.unit", { layer, unit }) : t(task === "regression" ? "surface" : "boundary");
  canvas.setAttribute("aria-label", t("boundary.label", { what, step: frame.step }));
  const sizes = network.layerSizes(frame, page.config, data);
  networkLayout = network.drawNetwork(
    $("network-canvas"), sizes, frame, inputNames(), task, boundaryImage, unitGrid ? view : null,
  );
  curves.drawCurves($("curve-canvas"), frame.curve, {
    train: t("curve.train"),
    test: t("curve.test"),
    log: t("curve.log"),
    step: t("step"),
  });
  $("step-count").textContent = String(frame.step ?? 0);
  $("step-count").dataset.value = String(frame.step ?? 0);
  $("epoch-count").textContent = String(frame.epoch ?? 0);
  $("epoch-count").dataset.value = String(frame.epoch ?? 0);
  readout("train-loss", frame.train_loss);
  readout("test-loss", frame.test_loss);
  percent("train-accuracy", frame.train_accuracy);
  percent("test-accuracy", frame.test_accuracy);
  if (frame.run) setRun(frame.run);
  page.framesDrawn += 1;
  page.drawMs += performance.now() - started;
}

function renderLegend() {
  draw.drawLegend($("boundary-legend"), page.data, yRange, {
    value: t("legend.value"),
    train: t("legend.train"),
    test: t("legend.test"),
    classText: (label) => t("legend.class", { label }),
  });
}

function renderLayers() {
  layers.planeChoices($("plane-view"), page.config.network.hidden, t);
  const sizes = network.layerSizes(page.lastFrame, page.config, page.data);
  // a small network gets a short picture: the page then fits a laptop screen
  const tallest = Math.max(...sizes);
  $("network-canvas").style.height = `${Math.max(200, Math.min(360, tallest * 40 + 40))}px`;
  layers.buildLayerControls($("layer-controls"), page.config.network.hidden, sizes, t, editHidden);
}

/** Draw a whole state {config, run, data, frame} as /api/state and /api/config answer it. */
function renderState(state) {
  page.config = state.config;
  if (state.data) setData(state.data);
  fillControls(state.config);
  if (state.frame) page.lastFrame = state.frame;
  renderLayers();
  renderLegend();
  if (state.frame) renderFrame(state.frame);
  setRun(state.run);
}

// ---- talking to the server -------------------------------------------------------------

/** Change the hidden layers: edit maps the list in force when the change runs to the new one. */
function editHidden(edit) {
  return act(() => sendConfig({ network: { hidden: edit(page.config.network.hidden.map((h) => ({ ...h }))) } }));
}

async function sendConfig(partial) {
  const state = await api.config(partial);
  clearMessage();
  renderState(state);
}

function numberSetting(id, group, key, integer = false) {
  $(id).addEventListener("change", () => {
    const raw = $(id).value.trim();
    const value = Number(raw);
    if (raw === "" || !Number.isFinite(value)) {
      showError(new ApiError(0, "client", t("err.invalid_number", { value: raw })));
      fillControls(page.config);
      return;
    }
    act(() => sendConfig({ [group]: { [key]: integer ? Math.round(value) : value } }));
  });
}

function choiceSetting(id, group, key) {
  $(id).addEventListener("change", () => act(() => sendConfig({ [group]: { [key]: $(id).value } })));
}

const frameLoop = new loop.FrameLoop({
  isPlaying: () => page.playing,
  fetchFrame: () => api.frame(),
  fetchState: () => api.state(),
  onFrame: (frame) => renderFrame(frame),
  onRun: (run) => setRun(run),
  onError: (err, fatal) => {
    showError(err);
    if (fatal) setRun({ ...page.run, state: "paused" });
  },
});

async function runAction(action) {
  const answer = await api.run(action);
  clearMessage();
  setRun(answer.run);
  if (answer.run.state !== "playing") renderFrame(await api.frame());
}

async function oneStep() {
  const explained = await api.explain();
  page.lastExplain = explained;
  const text = $("explain-text");
  delete text.dataset.i18n;
  text.textContent = explained.text;
  $("explain-step").textContent = t("glassbox.step", { step: explained.step });
  $("explain-step").dataset.step = String(explained.step);
  await runAction("step");
}

async function uploadFile(file) {
  showInfo(t("csv.reading", { name: file.name }));
  picker.clear();
  try {
    const answer = await api.upload(file);
    clearMessage();
    picker.show(answer.upload, t);
  } finally {
    $("csv-file").value = ""; // the same file can be chosen again
  }
}

function applyCsv() {
  const data = picker.dataConfig();
  if (!data) {
    showError(new ApiError(0, "client", t("csv.need_two")));
    return Promise.resolve();
  }
  return act(async () => {
    await sendConfig({ data });
    csvChosen = false;
    fillControls(page.config);
  });
}

function setLanguage(lang, tell = true) {
  i18n.setLanguage(lang);
  $("language").value = lang;
  if (page.config) {
    fillControls(page.config);
    renderLayers();
    renderLegend();
    if (page.run) setRun(page.run);
    if (page.lastFrame) renderFrame(page.lastFrame);
    if (picker.upload) picker.show(picker.upload, t, picker.dataConfig());
  }
  if (tell && page.config && page.config.language !== lang) {
    act(async () => {
      const state = await api.config({ language: lang });
      page.config = state.config;
    });
  }
}

// ---- wiring ------------------------------------------------------------------------------

function wire() {
  $("language").addEventListener("change", () => setLanguage($("language").value));
  $("data-kind").addEventListener("change", () => {
    const kind = $("data-kind").value;
    if (kind === "csv") {
      csvChosen = page.config.data.kind !== "csv";
      fillControls(page.config);
      if (!picker.upload) picker.clear(t("csv.hint"));
      $("csv-file").focus();
      return;
    }
    csvChosen = false;
    act(() => sendConfig({ data: { kind } }));
  });
  numberSetting("noise", "data", "noise");
  numberSetting("n-points", "data", "n_points", true);
  numberSetting("test-ratio", "data", "test_ratio");
  numberSetting("data-seed", "data", "seed", true);
  numberSetting("classes", "data", "classes", true);
  numberSetting("learning-rate", "network", "learning_rate");
  numberSetting("batch-size", "network", "batch_size", true);
  numberSetting("l2", "network", "l2");
  numberSetting("dropout", "network", "dropout");
  numberSetting("net-seed", "network", "seed", true);
  choiceSetting("loss", "network", "loss");
  choiceSetting("optimizer", "network", "optimizer");
  choiceSetting("net-init", "network", "init");
  $("csv-file").addEventListener("change", () => {
    const file = $("csv-file").files[0];
    if (file) act(() => uploadFile(file));
  });
  $("csv-apply").addEventListener("click", applyCsv);
  $("add-layer").addEventListener("click", () =>
    editHidden((hidden) => {
      const last = hidden[hidden.length - 1];
      if (hidden.length >= layers.MAX_LAYERS) return hidden;
      return [...hidden, { units: last ? last.units : 4, activation: last ? last.activation : "relu" }];
    }),
  );
  $("remove-layer").addEventListener("click", () => editHidden((hidden) => hidden.slice(0, -1)));
  $("preset-tutorial").addEventListener("click", () =>
    act(async () => {
      csvChosen = false;
      const state = await api.preset("tutorial");
      clearMessage();
      renderState(state);
    }),
  );
  $("play-pause").addEventListener("click", () =>
    act(() => runAction(page.playing ? "pause" : "play")),
  );
  $("one-step").addEventListener("click", () => act(oneStep));
  $("reset").addEventListener("click", () => act(() => runAction("reset")));
  $("export-script").addEventListener("click", () =>
    act(async () => showInfo(t("export.done", { name: await api.download("/api/export/script", "playground_run.py") }))),
  );
  $("export-model").addEventListener("click", () =>
    act(async () => showInfo(t("export.done", { name: await api.download("/api/export/model", "playground.ffnn") }))),
  );
  $("show-test").addEventListener("change", () => page.lastFrame && renderFrame(page.lastFrame));
  $("plane-view").addEventListener("change", () => page.lastFrame && renderFrame(page.lastFrame));
  network.watchHover($("network-canvas"), () => networkLayout, (unit) => {
    hoverUnit = unit;
    if (page.lastFrame && !page.playing) renderFrame(page.lastFrame); // playing: the next frame shows it
  });
  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      renderLegend();
      if (page.lastFrame) renderFrame(page.lastFrame);
    }, 100);
  });
}

async function start() {
  i18n.setLanguage("en");
  wire();
  try {
    const state = await api.state();
    const lang = state.config.language === "zh" ? "zh" : "en";
    setLanguage(lang, false);
    renderState(state);
    const d = state.config.data;
    if (d.kind === "csv" && d.target) {
      $("csv-info").textContent = `${d.target} ← ${(d.features || []).join(", ")}`;
    }
    for (const id of ["play-pause", "one-step", "reset", "preset-tutorial", "export-script", "export-model"]) {
      $(id).disabled = false;
    }
    setRun(state.run);
  } catch (err) {
    showError(err);
  }
  page.ready = true;
}

start();
