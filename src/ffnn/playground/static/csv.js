// Your own data: the pickers shown after a CSV upload (target, feature checkboxes
// csv-feature-0.., the two columns shown on the plane), and the CONFIG.data they make.

function option(value, text = value) {
  const node = document.createElement("option");
  node.value = value;
  node.textContent = text;
  return node;
}

export class CsvPicker {
  constructor(ids) {
    this.info = document.getElementById(ids.info);
    this.box = document.getElementById(ids.columns);
    this.target = document.getElementById(ids.target);
    this.features = document.getElementById(ids.features);
    this.shownX = document.getElementById(ids.shownX);
    this.shownY = document.getElementById(ids.shownY);
    this.upload = null;
    this.target.addEventListener("change", () => this.targetChanged());
    this.shownX.addEventListener("change", () => this.keepShownApart(this.shownX, this.shownY));
    this.shownY.addEventListener("change", () => this.keepShownApart(this.shownY, this.shownX));
  }

  /** Show the columns of an upload {id, name, rows, columns: [{name, kind}]}. */
  show(upload, t, chosen = null) {
    this.upload = upload;
    const names = upload.columns.map((c) => c.name);
    this.info.textContent = t("csv.uploaded", { name: upload.name, rows: upload.rows, cols: names.length });
    this.kinds = new Map(upload.columns.map((c) => [c.name, c.kind]));
    this.target.replaceChildren(...upload.columns.map((c) => option(c.name)));
    const target = chosen && chosen.target ? chosen.target : names[names.length - 1];
    this.target.value = target;
    const features = chosen && chosen.features ? chosen.features : names.filter((n) => n !== target);
    this.features.replaceChildren();
    upload.columns.forEach((c, i) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = `csv-feature-${i}`;
      box.value = c.name;
      box.checked = features.includes(c.name) && c.name !== target;
      box.disabled = c.name === target;
      box.addEventListener("change", () => this.refreshShown());
      const kind = document.createElement("span");
      kind.className = "column-kind";
      kind.textContent = ` (${t(`col.${c.kind}`)})`;
      label.append(box, ` ${c.name}`, kind);
      this.features.append(label);
    });
    this.refreshShown(chosen && chosen.shown ? chosen.shown : null);
    this.box.hidden = false;
  }

  clear(text = "") {
    this.upload = null;
    this.info.textContent = text;
    this.box.hidden = true;
  }

  checkedFeatures() {
    return [...this.features.querySelectorAll("input[type=checkbox]")]
      .filter((b) => b.checked && !b.disabled)
      .map((b) => b.value);
  }

  targetChanged() {
    for (const box of this.features.querySelectorAll("input[type=checkbox]")) {
      const isTarget = box.value === this.target.value;
      if (isTarget) box.checked = false;
      else if (box.disabled) box.checked = true; // the former target becomes a feature again
      box.disabled = isTarget;
    }
    this.refreshShown();
  }

  /** The checked features that can be shown on the plane: numeric columns only. */
  shownChoices() {
    return this.checkedFeatures().filter((n) => !this.kinds || this.kinds.get(n) === "number");
  }

  refreshShown(shown = null) {
    const features = this.shownChoices();
    const keepX = shown ? shown[0] : this.shownX.value;
    const keepY = shown ? shown[1] : this.shownY.value;
    this.shownX.replaceChildren(...features.map((n) => option(n)));
    this.shownY.replaceChildren(...features.map((n) => option(n)));
    this.shownX.value = features.includes(keepX) ? keepX : features[0] ?? "";
    const y = features.includes(keepY) && keepY !== this.shownX.value ? keepY : features.find((n) => n !== this.shownX.value);
    this.shownY.value = y ?? "";
  }

  keepShownApart(changed, other) {
    if (changed.value === other.value) {
      const alternative = this.shownChoices().find((n) => n !== changed.value);
      if (alternative) other.value = alternative;
    }
  }

  /** CONFIG.data for the chosen columns, or null when the choice is incomplete. */
  dataConfig() {
    if (!this.upload) return null;
    const features = this.checkedFeatures();
    const x = this.shownX.value;
    const y = this.shownY.value;
    const target = this.target.value;
    const ok = features.includes(x) && features.includes(y) && x !== y && !features.includes(target);
    if (!ok) return null;
    return { kind: "csv", upload: this.upload.id, target, features, shown: [x, y] };
  }
}
