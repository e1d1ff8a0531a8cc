// The controls above the network picture: one column per layer (input, hidden..., output),
// on the same grid as the picture's columns; each hidden layer has -/+ for its units and an
// activation select. Real buttons and selects, ids units-minus-i, units-plus-i, units-i,
// activation-i (i from 0).

export const ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", "elu", "gelu", "softplus", "linear"];
export const MAX_LAYERS = 6;
export const MAX_UNITS = 32;

function unitsText(t, n) {
  return n === 1 ? t("units.one") : t("units", { n });
}

function el(tag, attrs = {}, text = null) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

/**
 * Rebuild the layer controls for hidden (config.network.hidden) and sizes [n_in, ..., n_out].
 * onChange(edit) is called with a function from the hidden list in force to the edited one. Keeps the focus on the control that
 * had it (a keyboard user pressing "+" again and again stays on "+").
 */
export function buildLayerControls(container, hidden, sizes, t, onChange) {
  const focused = document.activeElement && container.contains(document.activeElement)
    ? document.activeElement.id
    : null;
  container.replaceChildren();
  container.style.gridTemplateColumns = `repeat(${hidden.length + 2}, minmax(0, 1fr))`;

  const input = el("div", { class: "layer" });
  input.append(el("span", { class: "layer-name" }, t("input")));
  input.append(el("span", {}, unitsText(t, sizes[0])));
  container.append(input);

  hidden.forEach((layer, i) => {
    const column = el("div", { class: "layer", role: "group", "aria-label": t("layer.name", { n: i + 1 }) });
    column.append(el("span", { class: "layer-name" }, t("layer.name", { n: i + 1 })));
    const row = el("div", { class: "units-row" });
    const minus = el("button", {
      type: "button",
      id: `units-minus-${i}`,
      class: "small",
      "aria-label": t("units.remove", { n: i + 1 }),
      title: t("units.remove", { n: i + 1 }),
    }, "−");
    minus.disabled = layer.units <= 1;
    const count = el("output", { id: `units-${i}`, "aria-live": "polite" }, String(layer.units));
    const plus = el("button", {
      type: "button",
      id: `units-plus-${i}`,
      class: "small",
      "aria-label": t("units.add", { n: i + 1 }),
      title: t("units.add", { n: i + 1 }),
    }, "+");
    plus.disabled = layer.units >= MAX_UNITS;
    // edits apply to the settings in force when they run (quick clicks queue up)
    const edit = (delta) =>
      onChange((current) =>
        current.map((h, k) => (k === i ? { ...h, units: Math.max(1, Math.min(MAX_UNITS, h.units + delta)) } : { ...h })),
      );
    minus.addEventListener("click", () => edit(-1));
    plus.addEventListener("click", () => edit(1));
    row.append(minus, count, plus);
    column.append(row);

    const select = el("select", { id: `activation-${i}`, "aria-label": t("activation.of", { n: i + 1 }) });
    const names = ACTIVATIONS.includes(layer.activation) ? ACTIVATIONS : [...ACTIVATIONS, layer.activation];
    for (const name of names) select.append(el("option", { value: name }, name));
    select.value = layer.activation;
    select.addEventListener("change", () => {
      const activation = select.value;
      onChange((current) => current.map((h, k) => (k === i ? { ...h, activation } : { ...h })));
    });
    column.append(select);
    container.append(column);
  });

  const output = el("div", { class: "layer" });
  output.append(el("span", { class: "layer-name" }, t("output")));
  output.append(el("span", {}, unitsText(t, sizes[sizes.length - 1])));
  container.append(output);

  if (focused) {
    const again = document.getElementById(focused);
    if (again && !again.disabled) again.focus();
    else if (again) {
      // "-" just got disabled at 1 unit: keep the keyboard in the same layer
      const sibling = document.getElementById(focused.replace("minus", "plus").replace("plus", "plus"));
      if (sibling) sibling.focus();
    }
  }
}

/** Fill the plane-view select: the network's output, then every hidden unit as "L:J" (from 1). */
export function planeChoices(select, hidden, t) {
  const keep = select.value || "output";
  const choices = [["output", t("plane.output")]];
  hidden.forEach((h, l) => {
    for (let j = 0; j < h.units; j++) choices.push([`${l + 1}:${j + 1}`, t("plane.unit", { layer: l + 1, unit: j + 1 })]);
  });
  select.replaceChildren(...choices.map(([value, text]) => el("option", { value }, text)));
  select.value = choices.some(([value]) => value === keep) ? keep : "output";
}
