// Every visible string of the page, in English and Simplified Chinese.
//
// index.html marks translatable elements with data-i18n="key" (text content),
// data-i18n-label="key" (aria-label) and data-i18n-title="key" (title); app.js calls
// t(key) for the strings it writes itself. Both dictionaries have the same keys
// (checkComplete() says which are missing; the page logs them at start).

const EN = {
  "title": "ffnn playground",
  "subtitle": "Watch a real ffnn network learn",
  "language": "Language",
  "data": "Data",
  "data.kind": "Data set",
  "kind.blobs": "Two blobs (the tutorial)",
  "kind.moons": "Moons",
  "kind.circles": "Circles",
  "kind.xor": "XOR",
  "kind.spiral": "Spiral",
  "kind.gaussians": "Gaussian mixture",
  "kind.surface": "Regression surface",
  "kind.csv": "Your CSV file",
  "noise": "Noise",
  "n_points": "Points",
  "test_ratio": "Test ratio",
  "seed": "Seed",
  "classes": "Classes",
  "csv.file": "CSV file",
  "csv.hint": "Choose a CSV file: it is read as ffnn train reads it.",
  "csv.uploaded": "{name}: {rows} rows, {cols} columns",
  "csv.target": "Target column",
  "csv.features": "Feature columns",
  "csv.shown_x": "Shown across (x)",
  "csv.shown_y": "Shown up (y)",
  "csv.apply": "Use this data",
  "csv.need_two": "Choose at least two feature columns, two different numeric ones to show, and a target that is not a feature.",
  "csv.reading": "Reading {name} …",
  "network": "Network",
  "layers": "Hidden layers",
  "layers.count": "{n} hidden layers",
  "layers.one": "1 hidden layer",
  "layer.add": "Add a hidden layer",
  "layer.remove": "Remove the last hidden layer",
  "layer.name": "Layer {n}",
  "units": "{n} units",
  "units.one": "1 unit",
  "units.add": "One more unit in layer {n}",
  "units.remove": "One unit less in layer {n}",
  "activation": "Activation",
  "activation.of": "Activation of layer {n}",
  "input": "Input",
  "output": "Output",
  "loss": "Loss",
  "loss.auto": "auto (by task)",
  "optimizer": "Optimizer",
  "opt.momentum": "SGD with momentum",
  "learning_rate": "Learning rate",
  "batch_size": "Batch size (0 = all)",
  "l2": "L2",
  "dropout": "Dropout",
  "net_seed": "Weights seed",
  "preset.tutorial": "The tutorial",
  "preset.tutorial.title": "2-4-1, ReLU, sigmoid output, full batch, SGD 0.1, the tutorial's weights",
  "play": "Play",
  "pause": "Pause",
  "one_step": "One step",
  "reset": "Reset",
  "controls": "Training",
  "export": "Export",
  "export.script": "Python script",
  "export.model": "Model file",
  "export.done": "Saved {name}.",
  "outputs": "Output",
  "boundary": "Decision boundary",
  "surface": "Predicted surface",
  "boundary.label": "{what} at step {step}: points are the data (circles, squares, triangles… one shape per class)",
  "show_test": "Show test points",
  "plane.view": "On the plane",
  "plane.output": "the output",
  "plane.unit": "layer {layer}, unit {unit}",
  "curves": "Loss curves",
  "curve.train": "train",
  "curve.test": "test",
  "curve.log": "log",
  "curve.label": "Train and test loss by step",
  "step": "Step",
  "epoch": "Epoch",
  "train_loss": "Train loss",
  "test_loss": "Test loss",
  "train_accuracy": "Train accuracy",
  "test_accuracy": "Test accuracy",
  "state.playing": "training",
  "state.paused": "paused",
  "state.loading": "loading",
  "diverged": "The training diverged (the loss is not a number): lower the learning rate and reset.",
  "glassbox": "Glass box: the next step, array by array",
  "glassbox.empty": "Press “One step” to see the arrays and formulas of the step.",
  "glassbox.step": "Step {step}",
  "legend.class": "class {label}",
  "legend.value": "predicted value",
  "legend.train": "train (filled)",
  "legend.test": "test (hollow)",
  "network.label": "The network: each hidden unit's output over the plane; lines are weights, blue positive, orange negative, width by size",
  "network.nodes": "{layers} layers: {sizes}",
  "weights.positive": "positive weight",
  "weights.negative": "negative weight",
  "weights.width": "(wider: larger in size)",
  "none": "—",
  "lost": "The server does not answer. Is `ffnn playground` still running? Restart it and open the new address.",
  "err.bad_token": "The address has no valid token: open the address that `ffnn playground` printed.",
  "err.bad_host": "This page must be opened as 127.0.0.1 or localhost.",
  "err.too_large": "The file or request is too large (uploads up to 5 MiB).",
  "err.bad_json": "The server could not read the request.",
  "err.bad_config": "That setting was refused: {message}",
  "err.out_of_range": "That value is out of range: {message}",
  "err.unknown_action": "Unknown action.",
  "err.bad_csv": "The CSV file could not be used: {message}",
  "err.unknown_upload": "The uploaded file is no longer known: upload it again.",
  "err.not_found": "Not found.",
  "err.busy": "The server is busy: try again.",
  "err.diverged": "The training diverged: lower the learning rate and reset.",
  "err.not_integer": "That value must be a whole number: {message}",
  "err.not_number": "That value must be a number: {message}",
  "err.unknown_name": "That choice is not known: {message}",
  "err.not_text": "That must be a column name: {message}",
  "err.not_list": "That must be a list: {message}",
  "err.not_object": "That setting has the wrong form: {message}",
  "err.unknown_field": "Unknown setting: {message}",
  "err.invalid_number": "“{value}” is not a number.",
  "init": "Initial weights",
  "init.tutorial": "the tutorial's",
  "init.default": "layer default",
  "err.bad_data": "The CSV file could not be used: {message}",
  "err.loss_for_task": "That loss does not fit the task: {message}",
  "err.no_upload": "Upload a CSV file first: {message}",
  "err.no_target": "Choose a target column: {message}",
  "err.unknown_preset": "Unknown preset: {message}",
  "err.internal": "The server met an error (a bug): {message}",
  "col.number": "number",
  "col.text": "text",
  "col.empty": "empty",
  "err.http": "The server answered {status}: {message}",
  "err.generic": "Something went wrong: {message}",
};

const ZH = {
  "title": "ffnn 游乐场",
  "subtitle": "看一个真正的 ffnn 网络学习",
  "language": "语言",
  "data": "数据",
  "data.kind": "数据集",
  "kind.blobs": "两团点（教程）",
  "kind.moons": "双月",
  "kind.circles": "同心圆",
  "kind.xor": "异或",
  "kind.spiral": "螺旋",
  "kind.gaussians": "高斯混合",
  "kind.surface": "回归曲面",
  "kind.csv": "你的 CSV 文件",
  "noise": "噪声",
  "n_points": "点数",
  "test_ratio": "测试比例",
  "seed": "随机种子",
  "classes": "类别数",
  "csv.file": "CSV 文件",
  "csv.hint": "选择一个 CSV 文件：读取规则与 ffnn train 相同。",
  "csv.uploaded": "{name}：{rows} 行，{cols} 列",
  "csv.target": "目标列",
  "csv.features": "特征列",
  "csv.shown_x": "横轴显示（x）",
  "csv.shown_y": "纵轴显示（y）",
  "csv.apply": "使用这些数据",
  "csv.need_two": "请至少选择两个特征列，其中两个不同的数值列用于显示，目标列不能是特征列。",
  "csv.reading": "正在读取 {name} …",
  "network": "网络",
  "layers": "隐藏层",
  "layers.count": "{n} 个隐藏层",
  "layers.one": "1 个隐藏层",
  "layer.add": "增加一个隐藏层",
  "layer.remove": "删除最后一个隐藏层",
  "layer.name": "第 {n} 层",
  "units": "{n} 个单元",
  "units.one": "1 个单元",
  "units.add": "第 {n} 层增加一个单元",
  "units.remove": "第 {n} 层减少一个单元",
  "activation": "激活函数",
  "activation.of": "第 {n} 层的激活函数",
  "input": "输入",
  "output": "输出",
  "loss": "损失函数",
  "loss.auto": "自动（按任务）",
  "optimizer": "优化器",
  "opt.momentum": "带动量的 SGD",
  "learning_rate": "学习率",
  "batch_size": "批大小（0 = 全部）",
  "l2": "L2 正则",
  "dropout": "Dropout",
  "net_seed": "权重种子",
  "preset.tutorial": "教程",
  "preset.tutorial.title": "2-4-1，ReLU，sigmoid 输出，全批量，SGD 0.1，教程的初始权重",
  "play": "开始",
  "pause": "暂停",
  "one_step": "单步",
  "reset": "重置",
  "controls": "训练",
  "export": "导出",
  "export.script": "Python 脚本",
  "export.model": "模型文件",
  "export.done": "已保存 {name}。",
  "outputs": "输出",
  "boundary": "决策边界",
  "surface": "预测曲面",
  "boundary.label": "第 {step} 步的{what}：点是数据（圆、方块、三角……每类一种形状）",
  "show_test": "显示测试点",
  "plane.view": "平面上显示",
  "plane.output": "网络输出",
  "plane.unit": "第 {layer} 层第 {unit} 个单元",
  "curves": "损失曲线",
  "curve.train": "训练",
  "curve.test": "测试",
  "curve.log": "对数",
  "curve.label": "每一步的训练损失和测试损失",
  "step": "步数",
  "epoch": "轮数",
  "train_loss": "训练损失",
  "test_loss": "测试损失",
  "train_accuracy": "训练准确率",
  "test_accuracy": "测试准确率",
  "state.playing": "训练中",
  "state.paused": "已暂停",
  "state.loading": "加载中",
  "diverged": "训练发散了（损失不是数）：请降低学习率并重置。",
  "glassbox": "玻璃箱：下一步的每个数组",
  "glassbox.empty": "按“单步”查看这一步的数组和公式。",
  "glassbox.step": "第 {step} 步",
  "legend.class": "类别 {label}",
  "legend.value": "预测值",
  "legend.train": "训练（实心）",
  "legend.test": "测试（空心）",
  "network.label": "网络：每个隐藏单元在平面上的输出；线是权重，蓝色为正，橙色为负，粗细表示大小",
  "network.nodes": "{layers} 层：{sizes}",
  "weights.positive": "正权重",
  "weights.negative": "负权重",
  "weights.width": "（越粗：绝对值越大）",
  "none": "—",
  "lost": "服务器没有响应。`ffnn playground` 还在运行吗？请重新启动并打开新地址。",
  "err.bad_token": "地址中没有有效的令牌：请打开 `ffnn playground` 打印的地址。",
  "err.bad_host": "必须以 127.0.0.1 或 localhost 打开此页面。",
  "err.too_large": "文件或请求太大（上传最多 5 MiB）。",
  "err.bad_json": "服务器无法读取该请求。",
  "err.bad_config": "该设置被拒绝：{message}",
  "err.out_of_range": "该值超出范围：{message}",
  "err.unknown_action": "未知操作。",
  "err.bad_csv": "无法使用该 CSV 文件：{message}",
  "err.unknown_upload": "服务器已不认识上传的文件：请重新上传。",
  "err.not_found": "未找到。",
  "err.busy": "服务器正忙：请重试。",
  "err.diverged": "训练发散了：请降低学习率并重置。",
  "err.not_integer": "该值必须是整数：{message}",
  "err.not_number": "该值必须是数：{message}",
  "err.unknown_name": "未知的选项：{message}",
  "err.not_text": "这里必须是列名：{message}",
  "err.not_list": "这里必须是列表：{message}",
  "err.not_object": "该设置的格式不对：{message}",
  "err.unknown_field": "未知的设置：{message}",
  "err.invalid_number": "“{value}”不是数。",
  "init": "初始权重",
  "init.tutorial": "教程的",
  "init.default": "层的默认方式",
  "err.bad_data": "无法使用该 CSV 文件：{message}",
  "err.loss_for_task": "该损失函数不适合这个任务：{message}",
  "err.no_upload": "请先上传 CSV 文件：{message}",
  "err.no_target": "请选择目标列：{message}",
  "err.unknown_preset": "未知的预设：{message}",
  "err.internal": "服务器出错了（程序缺陷）：{message}",
  "col.number": "数值",
  "col.text": "文本",
  "col.empty": "空",
  "err.http": "服务器返回 {status}：{message}",
  "err.generic": "出错了：{message}",
};

export const DICTIONARIES = { en: EN, zh: ZH };

let current = "en";

/** The current language, "en" or "zh". */
export function language() {
  return current;
}

/** Switch the language: sets <html lang> and rewrites every marked element under root. */
export function setLanguage(lang, root = document) {
  current = lang in DICTIONARIES ? lang : "en";
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  applyTranslations(root);
}

/** The string for key in the current language, with {name} replaced from params. */
export function t(key, params = {}) {
  const text = DICTIONARIES[current][key] ?? EN[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Whether the message for an error code is known (the page then shows it translated). */
export function hasKey(key) {
  return key in EN;
}

/**
 * The page's words for an error: {status, code, message} of the API (code "lost": no
 * answer; "client": a message the page wrote itself), translated where the code is known,
 * else the server's English message.
 */
export function errorText(err) {
  if (err && typeof err.code === "string") {
    if (err.code === "lost") return t("lost");
    if (err.code === "client") return err.message;
    if (hasKey(`err.${err.code}`)) return t(`err.${err.code}`, { message: err.message, status: err.status });
    return err.message || t("err.http", { status: err.status, message: err.code });
  }
  return t("err.generic", { message: String(err && err.message ? err.message : err) });
}

/** Rewrite data-i18n (text), data-i18n-label (aria-label) and data-i18n-title elements. */
export function applyTranslations(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  }
  for (const el of root.querySelectorAll("[data-i18n-title]")) {
    el.title = t(el.dataset.i18nTitle);
  }
}

/** Keys present in one dictionary and not the other (empty when both are complete). */
export function checkComplete() {
  const en = Object.keys(EN);
  const zh = Object.keys(ZH);
  return en.filter((k) => !(k in ZH)).concat(zh.filter((k) => !(k in EN)));
}
