"""The glass-box step: one training step printed array by array, each with its formula.

:func:`explain_step` runs one step of gradient descent through a model's own layers and loss,
the very objects ``fit`` uses (``Dense.forward``, ``ReLU.backward``, ``Loss.backward``,
``SGD.step``), and prints every intermediate array next to the formula that produced it, in the
tutorial's notation: rows are samples, weights are ``(n_in, n_out)``, and for layer ``l``

    Z{l} = A{l-1} @ W{l} + b{l}        A{l} = f(Z{l})        (A0 is X)

then the loss, the gradients ``dZ{l}``, ``dW{l}``, ``db{l}``, ``dA{l-1}`` from the last layer to
the first, and the update ``W{l} ← W{l} - learning_rate · dW{l}``. The numbers are returned as a
:class:`StepTrace`, keyed by the same names (``trace.backward["dW1"]``).

One difference from the tutorial's own names, stated in the printout: the library divides by
``m`` once, in the output gradient (``dZ2 = (A2 - y) / m``), where the tutorial divides
``dW2 = (1/m) A1ᵀ dZ2`` and ``db2``; the ``dW`` and ``db`` are the same numbers.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np

from ffnn._checks import (
    check_array,
    check_bool,
    check_n_features,
    check_non_negative_int,
    check_positive_int,
    check_same_length,
)
from ffnn.layers import Dense, Layer, Parameter, declares
from ffnn.losses import Loss, LossFormulas
from ffnn.model import Sequential
from ffnn.optimizers import SGD

__all__ = ["StepTrace", "explain_step"]


@dataclass(frozen=True)
class StepTrace:
    """Every array of one explained training step, by the tutorial's names.

    Attributes
    ----------
    forward : ``X``, then ``Z1, A1, Z2, A2, ...`` in the order computed; ``A{L}`` of the last
        layer is the loss's output link (``sigmoid(Z{L})``, ``softmax(Z{L})``) when the network
        ends in a Dense layer and the loss has one, as the tutorial's ``A2``.
    y : the targets as the loss uses them, ``(m, n_outputs)`` (one-hot rows for cross-entropy).
    loss : the loss of this step (data loss plus weight penalties), before the update.
    penalty : the weight penalties' share of ``loss`` (0.0 without regularizers).
    backward : ``dZ{L}, dW{L}, db{L}, dA{L-1}, dZ{L-1}, ...`` in the order computed.
    parameters : ``W1, b1, W2, b2, ...`` before the step.
    updated : the same after one ``SGD(learning_rate)`` step.
    formulas : the formula printed for each array, by name (``"L"`` for the loss,
        ``"W1 (updated)"`` for the update of ``W1``).
    learning_rate : the step size.
    applied : whether the model's parameters were updated (``update=True``).
    text : the printout; ``str(trace)`` is the same.
    """

    forward: dict[str, np.ndarray]
    y: np.ndarray
    loss: float
    penalty: float
    backward: dict[str, np.ndarray]
    parameters: dict[str, np.ndarray]
    updated: dict[str, np.ndarray]
    formulas: dict[str, str]
    learning_rate: float
    applied: bool
    text: str = field(repr=False)

    @property
    def gradients(self) -> dict[str, np.ndarray]:
        """``dW1, db1, dW2, db2, ...``: the tutorial's ``backward_propagation`` dict."""
        return {f"d{name}": self.backward[f"d{name}"] for name in self.parameters}

    def __str__(self) -> str:
        return self.text


# -- the plan: which layer is which ----------------------------------------------------------
@dataclass
class _Block:
    """Layer number ``index`` (1-based): a Dense and the layer after it, its activation
    (``Z{l}`` in, ``A{l}`` out), or a layer of its own (``dense`` None: ``A{l-1}`` in,
    ``A{l}`` out)."""

    index: int
    dense: Dense | None
    activation: Layer | None = None


def _plan(model: Sequential) -> list[_Block]:
    blocks: list[_Block] = []
    for layer in model.layers:
        if type(layer) is Dense:  # a subclass may compute otherwise: it is a layer of its own
            blocks.append(_Block(len(blocks) + 1, layer))
        elif blocks and blocks[-1].dense is not None and blocks[-1].activation is None:
            blocks[-1].activation = layer
        else:
            blocks.append(_Block(len(blocks) + 1, None, layer))
    return blocks


def _dense_label(dense: Dense) -> str:
    penalty = "" if dense.regularizer is None else f", regularizer={dense.regularizer!r}"
    return f"Dense({dense.n_in}, {dense.n_out}{penalty})"


def _parameter_names(layer: Layer, l: int) -> list[tuple[str, Parameter]]:  # noqa: E741
    """``(name{l}, parameter)`` of a layer other than Dense: ``scale1`` for a parameter named
    ``scale`` (``p0``, ``p1``, ... for unnamed ones)."""
    return [(f"{p.name or f'p{i}'}{l}", p) for i, p in enumerate(layer.parameters())]


def _formulas(layer: Layer, names: dict[str, str]) -> dict[str, str]:
    """The layer's declared formulas with the tutorial's placeholders (``Z``, ``A``, ``dA``,
    ``dZ``, its parameters' names) replaced by this step's names (``Z1``, ``A1``, ...)."""
    if not declares(layer, "formulas", "formula", "derivative"):
        return {}
    tokens = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"(?<![A-Za-z0-9_])({tokens})(?![A-Za-z0-9])")
    return {
        key: pattern.sub(lambda match: names[match.group(1)], text)
        for key, text in layer.formulas().items()
    }


def _loss_formulas(loss: Loss, out: str, prob: str, n: str) -> LossFormulas | None:
    """The loss's declared formulas; None when undeclared, or declared by a class above the
    one that defines the ``forward`` it runs (a subclass may compute otherwise)."""

    def owner(name: str) -> type:
        return next(cls for cls in type(loss).__mro__ if name in vars(cls))

    if not issubclass(owner("formulas"), owner("forward")):
        return None
    return loss.formulas(out, prob, n)


_UNDECLARED = "   (no formula declared)"
_ELEMENTWISE = re.compile(r"^dZ\d+ = dA\d+ \* (\w+)'\(Z\d+\)")


# -- printing ---------------------------------------------------------------------------------
class _Printer:
    """Collects the lines: a formula, the array's shape, the array (numpy's printoptions)."""

    def __init__(self, precision: int, max_rows: int) -> None:
        self.lines: list[str] = []
        self.formulas: dict[str, str] = {}
        self.options = {
            "precision": precision,
            "floatmode": "fixed",
            "threshold": 0,  # summarise every axis longer than 2 * edgeitems
            "edgeitems": max_rows // 2,
            "linewidth": 96,
        }

    def heading(self, text: str) -> None:
        self.lines += ["", text, "-" * len(text)]

    def note(self, text: str) -> None:
        self.lines += [f"    # {line}" for line in text.split("\n")]

    def array(
        self, store: dict[str, np.ndarray] | None, name: str, formula: str, value: np.ndarray
    ) -> None:
        """Print ``value`` under its formula; keep a copy in ``store[name]`` (if given).

        ``formulas`` is keyed by ``name``, or ``"W1 (updated)"`` for an update of ``W1``.
        """
        self.formulas[f"{name} (updated)" if "←" in formula else name] = formula
        if store is not None:
            store[name] = value.copy()
        shape = f"shape {value.shape}"
        self.lines.append(f"{formula:<54} {shape}" if len(formula) <= 54 else formula)
        if len(formula) > 54:
            self.lines.append(" " * 55 + shape)
        if value.dtype.kind == "f":
            value = value + 0.0  # -0.0 (a negative gradient times ReLU's 0) prints as 0.0
        with np.printoptions(**self.options):  # type: ignore[arg-type]
            body = np.array2string(value)
        self.lines += ["    " + line for line in body.split("\n")]


# -- the step ---------------------------------------------------------------------------------
def explain_step(
    model: Sequential,
    X: Any,
    y: Any,
    loss: str | Loss | None = None,
    learning_rate: float = 0.1,
    *,
    update: bool = False,
    file: TextIO | None = None,
    verbose: bool = True,
    precision: int = 4,
    max_rows: int = 6,
) -> StepTrace:
    """Run one full-batch gradient-descent step and print every array with its formula.

    The step is the one ``fit`` takes: ``model``'s layers forward in training mode, the loss
    and its fused output gradient, the layers backward (filling each parameter's ``.grad``),
    then ``SGD(learning_rate).step()``. Printed, layer by layer::

        Z1 = X @ W1 + b1          A1 = relu(Z1)          ...       L = ...
        dZ2 = (A2 - y) / m        dW2 = A1.T @ dZ2       db2 = Σ_rows dZ2
        dA1 = dZ2 @ W2.T          dZ1 = dA1 * relu'(Z1)  ...       W1 ← W1 - learning_rate · dW1

    Parameters
    ----------
    model : a :class:`~ffnn.Sequential`. A Dense layer and the layer after it are the
        tutorial's ``Z{l} = A{l-1} @ W{l} + b{l}``, ``A{l} = f(Z{l})``; any other layer (a user's
        own too) is a step of its own, ``A{l} = layer(A{l-1})``. Each prints the formula its
        class declares (``Layer.formula``, ``Layer.derivative``, ``Layer.formulas()``), or
        "(no formula declared)" next to its arrays.
    X : ``(m, n_features_in)`` inputs, one row per sample (cast to the model's dtype).
    y : targets for ``loss``: ``(m,)`` or ``(m, n_outputs)``; class labels for cross-entropy.
    loss : a loss name or Loss (its formulas from ``Loss.formulas``, when declared); ``None``
        uses the model's (set by ``fit``).
    learning_rate : η > 0 of the update ``θ ← θ - η·dθ``.
    update : apply the update to the model (``True``), or only show it (``False``, default:
        the weights are left as they were; the parameters' ``.grad`` hold this step's
        gradients, as after ``model.backward``).
    file : where to print (``sys.stdout`` by default); ``verbose=False`` prints nothing.
    precision : decimals of the printed numbers.
    max_rows : an array with more rows (or columns) than this shows its first and last
        ``max_rows // 2``; at least 2.

    Returns
    -------
    :class:`StepTrace` with every array (copies), the formulas and the printed text.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be an ffnn Sequential, got {type(model).__name__}")
    update = check_bool(update, "update")
    verbose = check_bool(verbose, "verbose")
    precision = check_non_negative_int(precision, "precision")
    max_rows = check_positive_int(max_rows, "max_rows")
    if max_rows < 2:
        raise ValueError(f"max_rows must be at least 2, got {max_rows}")
    if file is not None and not callable(getattr(file, "write", None)):
        raise TypeError(f"file must be a text stream with a write method, got {file!r:.60}")
    sgd = SGD(learning_rate)  # validates learning_rate before anything runs
    blocks = _plan(model)
    loss_fn = model._loss_for(loss)
    X = check_array(X, "X", dtype=model.dtype)
    check_n_features(X, model.n_features_in)
    targets = loss_fn.prepare_targets(y, model.n_outputs, model.dtype)
    check_same_length(X, targets)

    m, n_outputs, last = X.shape[0], model.n_outputs, blocks[-1].index
    out = _Printer(precision, max_rows)
    forward: dict[str, np.ndarray] = {}
    backward: dict[str, np.ndarray] = {}
    parameters: dict[str, np.ndarray] = {}
    stepped: list[Parameter] = []
    architecture = " -> ".join(
        _dense_label(layer) if type(layer) is Dense else repr(layer) for layer in model.layers
    )
    out.lines.append(f"One training step of {architecture}")
    out.lines.append(
        f"loss {loss_fn!r}, learning_rate {learning_rate:g}, m = {m} samples (the rows of X), "
        f"{model.dtype}"
    )

    # -- forward: each layer's own forward, in training mode, as fit runs them
    out.heading("Forward pass")
    out.array(forward, "X", "X", X)
    inputs: dict[int, str] = {}  # layer index -> the name of its input, "X" or "A{l-1}"
    names: dict[int, dict[str, str]] = {}  # layer index -> its activation's placeholders
    a, previous = X, "X"
    for block in blocks:
        l = block.index  # noqa: E741  (the tutorial's layer index)
        inputs[l] = previous
        if block.dense is not None:
            then = "" if block.activation is None else f", then {block.activation!r}"
            out.lines += ["", f"Layer {l}: {_dense_label(block.dense)}{then}"]
            out.array(parameters, f"W{l}", f"W{l}", block.dense.weight.data)
            out.array(parameters, f"b{l}", f"b{l}", block.dense.bias.data)
            stepped += [block.dense.weight, block.dense.bias]
            a = block.dense.forward(a, training=True)  # (m, n_out)
            out.array(forward, f"Z{l}", f"Z{l} = {previous} @ W{l} + b{l}", a)
            layer_in = f"Z{l}"
        else:
            out.lines += ["", f"Layer {l}: {block.activation!r}"]
            layer_in = previous
        if block.activation is not None:
            layer = block.activation
            names[l] = {"Z": layer_in, "A": f"A{l}", "dA": f"dA{l}", "dZ": f"d{layer_in}"}
            for name, p in _parameter_names(layer, l):
                names[l] |= {p.name: name, f"d{p.name}": f"d{name}"}
                out.array(parameters, name, name, p.data)
                stepped.append(p)
            formula = _formulas(layer, names[l]).get("A")
            if formula is None:
                formula = f"A{l} = {type(layer).__name__}({layer_in}){_UNDECLARED}"
            a = layer.forward(a, training=True)
            out.array(forward, f"A{l}", formula, a)
        elif l != last:
            out.array(forward, f"A{l}", f"A{l} = Z{l}   (no activation)", a)
        previous = f"A{l}"
    output = a  # what the loss receives: the logits Z{L}, or A{L} after a last activation

    # -- the loss: its own forward, which keeps the fused gradient for its backward
    ends_in_dense = blocks[-1].dense is not None and blocks[-1].activation is None
    out_name = f"Z{last}" if ends_in_dense else f"A{last}"
    prob_name = f"A{last}" if ends_in_dense else "P"
    # a softmax loss has one term per sample (the row), the others one per entry
    n = "m" if n_outputs == 1 or loss_fn.link_name == "softmax" else "N"
    loss_text = _loss_formulas(loss_fn, out_name, prob_name, n)
    if loss_text is None:
        name = type(loss_fn).__name__
        loss_text = LossFormulas(
            None,
            f"L = {name}({out_name}, y){_UNDECLARED}",
            "",
            f"d{out_name} = {name}.backward(){_UNDECLARED}",
            "",
        )
    out.heading("Loss")
    if loss_text.link is not None:
        out.array(forward, prob_name, loss_text.link, loss_fn.link(output))
    data_loss = loss_fn.forward(output, targets)
    penalty = model.penalty()
    total = data_loss + penalty
    out.array(None, "y", "y", targets)
    if n == "N":
        out.lines.append(f"N = m · outputs = {m} · {n_outputs} = {m * n_outputs}")
    if penalty:
        penalised = ", ".join(
            f"W{b.index}" for b in blocks if b.dense is not None and b.dense.regularizer
        )
        out.formulas["L"] = f"{loss_text.loss} + Σ R(W) over {penalised}"
        out.lines.append(out.formulas["L"])
        out.lines.append(f"  = {data_loss:.6f} + {penalty:.6f} = {total:.6f}")
    else:
        out.formulas["L"] = loss_text.loss
        out.lines.append(f"{loss_text.loss} = {total:.6f}")
    if loss_text.loss_note:
        out.note(loss_text.loss_note)

    # -- backward: the loss's gradient, then each layer's own backward, last layer first
    out.heading("Backward pass")
    grad = loss_fn.backward()  # (m, n_outputs)
    out.array(backward, f"d{out_name}", loss_text.gradient, grad)
    if loss_text.gradient_note:
        out.note(loss_text.gradient_note)
    for block in reversed(blocks):
        l = block.index  # noqa: E741
        if block.activation is not None:
            layer, placeholders = block.activation, names[l]
            formulas = _formulas(layer, placeholders)
            grad = layer.backward(grad)
            for name, p in _parameter_names(layer, l):
                formula = formulas.get(f"d{p.name}", f"d{name}{_UNDECLARED}")
                out.array(backward, f"d{name}", formula, p.grad)
            grad_name, arriving = placeholders["dZ"], placeholders["dA"]
            formula = formulas.get("dZ")
            if formula is None:
                formula = f"{grad_name} = {type(layer).__name__}.backward({arriving}){_UNDECLARED}"
            out.array(backward, grad_name, formula, grad)
            elementwise = _ELEMENTWISE.match(formula)
            if block.dense is not None and l != last and elementwise:
                out.note(
                    f"the tutorial writes these two in one line: "
                    f"dZ{l} = np.dot(dZ{l + 1}, W{l + 1}.T) * {elementwise[1]}_derivative(Z{l})"
                )
        elif l != last:
            out.array(backward, f"dZ{l}", f"dZ{l} = dA{l}   (no activation)", grad)
        dense = block.dense
        if dense is None:
            continue
        if l > 1:
            grad = dense.backward(grad)
        else:  # the tutorial computes no dX, and neither does fit
            dense.backward_parameters(grad)
        formula = f"dW{l} = {inputs[l]}.T @ dZ{l}"
        if dense.regularizer is not None:
            formula += f" + ∂R/∂W{l},  R = {dense.regularizer!r}"
        out.array(backward, f"dW{l}", formula, dense.weight.grad)
        out.array(backward, f"db{l}", f"db{l} = Σ over the rows of dZ{l}", dense.bias.grad)
        if l > 1:
            out.array(backward, f"d{inputs[l]}", f"d{inputs[l]} = dZ{l} @ W{l}.T", grad)

    # -- the update: the library's SGD, on the model or on copies of its parameters
    if not update:
        copies = [Parameter(p.data.copy(), p.name) for p in stepped]
        for original, copy in zip(stepped, copies, strict=True):
            copy.grad = original.grad.copy()
        stepped = copies
    sgd.bind(stepped).step()
    updated: dict[str, np.ndarray] = {}
    done = "applied to the model" if update else "shown only: the model is unchanged"
    out.heading(f"Update, learning_rate = {learning_rate:g} ({done})")
    for name, p in zip(parameters, stepped, strict=True):
        formula = f"{name} ← {name} - learning_rate · d{name}"
        out.array(updated, name, formula, p.data)

    text = "\n".join(out.lines)
    if verbose:
        print(text, file=sys.stdout if file is None else file)
    return StepTrace(
        forward=forward,
        y=targets.copy(),
        loss=total,
        penalty=penalty,
        backward=backward,
        parameters=parameters,
        updated=updated,
        formulas=out.formulas,
        learning_rate=sgd.learning_rate,
        applied=update,
        text=text,
    )
