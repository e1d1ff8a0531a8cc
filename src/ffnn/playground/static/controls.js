// The settings form: show the CONFIG in force in the inputs and selects (ids as index.html
// lists them), never overwriting the one the user is typing in.

/** The losses the server allows for each task ("auto" fits every task). */
export const LOSSES_FOR_TASK = {
  binary: ["binary_cross_entropy", "mse"],
  multiclass: ["cross_entropy"],
  regression: ["mse", "mae", "huber"],
};

const $ = (id) => document.getElementById(id);

function setValue(id, value) {
  const node = $(id);
  if (node === document.activeElement) return; // do not overwrite what the user is typing
  node.value = value ?? "";
}

/**
 * Fill the form from config. kind: the data kind shown ("csv" while a file is being chosen);
 * task: DATA.task (or null); t: the translator; maxLayers: the most hidden layers.
 */
export function fillSettings(config, kind, task, t, maxLayers) {
  const d = config.data;
  const n = config.network;
  setValue("data-kind", kind);
  setValue("noise", d.noise);
  setValue("n-points", d.n_points);
  setValue("test-ratio", d.test_ratio);
  setValue("data-seed", d.seed);
  setValue("classes", d.classes);
  setValue("loss", n.loss);
  setValue("optimizer", n.optimizer);
  setValue("learning-rate", n.learning_rate);
  setValue("batch-size", n.batch_size);
  setValue("l2", n.l2);
  setValue("dropout", n.dropout);
  setValue("net-seed", n.seed);
  if (n.init !== undefined) setValue("net-init", n.init);
  // only the losses that fit the task can be chosen (as the server checks them)
  for (const item of $("loss").options) {
    item.disabled = Boolean(task) && item.value !== "auto" && !(LOSSES_FOR_TASK[task] || []).includes(item.value);
  }
  $("csv-section").hidden = kind !== "csv";
  for (const node of document.querySelectorAll(".generated")) node.hidden = kind === "csv";
  for (const node of document.querySelectorAll(".gaussians-only")) node.hidden = kind !== "gaussians";
  const count = n.hidden.length;
  $("layer-count").textContent = count === 1 ? t("layers.one") : t("layers.count", { n: count });
  $("add-layer").disabled = count >= maxLayers;
  $("remove-layer").disabled = count === 0;
}
