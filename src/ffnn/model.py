"""Sequential: layers applied one after the other, trained end to end.

``forward`` runs the layers in order, ``backward`` runs them in reverse; every layer keeps what
its own backward needs. The network emits logits; the loss (given to :meth:`Sequential.fit`)
supplies the output link, so ``predict_proba`` applies a sigmoid or softmax and ``predict``
returns labels for a classification loss and values for a regression loss.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ffnn import losses as losses_module
from ffnn._checks import check_array, check_dtype, check_n_features, check_random_state
from ffnn.layers import Dense, Layer, Parameter
from ffnn.losses import Loss, check_sample_weight
from ffnn.optimizers import Optimizer

__all__ = ["PLUGINS", "Sequential"]

#: What the parts above the model plug into it (the model imports none of them): ``"fit"``, the
#: training loop, set by :mod:`ffnn.training`; ``"save"``, the file writer, set by
#: :mod:`ffnn.io`. ``import ffnn`` imports both.
PLUGINS: dict[str, Callable[..., Any]] = {}


def _plugin(name: str) -> Callable[..., Any]:
    if name not in PLUGINS:
        raise RuntimeError(f"Sequential.{name} is plugged in by ffnn: `import ffnn` first")
    return PLUGINS[name]


class Sequential:
    """A feedforward network: a list of layers.

    Parameters
    ----------
    layers : the layers in order, e.g. ``[Dense(2, 4), ReLU(), Dense(4, 1)]``.
    dtype : float32 (default; fast) or float64 (exact work, gradient checks).
    random_state : ``None``, an int, a ``np.random.Generator`` or a legacy
        ``np.random.RandomState``. The one source of randomness: initial weights (drawn layer by
        layer, in order, when the model is built), then the shuffling of every ``fit``.

    Attributes
    ----------
    n_features_in : input features the first Dense layer expects.
    n_outputs : outputs of the last layer (logits).
    loss : the :class:`~ffnn.losses.Loss` set by the last ``fit`` (or assigned), used by
        ``predict``, ``predict_proba`` and ``evaluate``.
    """

    def __init__(
        self, layers: Iterable[Layer], *, dtype: Any = np.float32, random_state: Any = None
    ) -> None:
        if isinstance(layers, Layer) or not isinstance(layers, Iterable):
            raise TypeError(
                f"layers must be a list of ffnn Layers, got {type(layers).__name__} {layers!r:.60}"
            )
        self.layers: list[Layer] = list(layers)
        for position, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"layers[{position}] must be an ffnn Layer, got {type(layer).__name__} "
                    f"{layer!r:.60}"
                )
        self.dtype = check_dtype(dtype)
        self.random_state = random_state
        self.rng = check_random_state(random_state)
        self.n_features_in, self.n_outputs = self._check_sizes()
        self.loss: Loss | None = None
        self.optimizer: Optimizer | None = None
        self.stop_training = False
        #: the number, as ``fit`` counts epochs (from ``initial_epoch``), of the last epoch
        #: finished, plus one: saved with the model, and the ``initial_epoch`` to resume from
        self.epochs_trained = 0
        #: JSON values kept with the model by ffnn.save (feature names, class labels, ...)
        self.metadata: dict[str, Any] = {}
        for position, layer in enumerate(self.layers):
            # the first activation after the layer (skipping Dropout and normalisation, which
            # have no preference) picks the default initializer of a Dense layer
            hints = (later.preferred_initializer for later in self.layers[position + 1 :])
            hint = next((h for h in hints if h is not None), None)
            layer.reset_parameters(self.rng, self.dtype, default_initializer=hint)
        self._flat = self._pack_parameters()

    def _check_sizes(self) -> tuple[int, int]:
        dense = [layer for layer in self.layers if isinstance(layer, Dense)]
        if not dense:
            raise ValueError(
                f"layers must include at least one Dense layer, got {self.layers!r:.80}"
            )
        size = dense[0].n_in
        for position, layer in enumerate(self.layers):
            if isinstance(layer, Dense) and layer.n_in != size:
                raise ValueError(
                    f"layers[{position}] {layer!r} expects {layer.n_in} inputs, but the layer "
                    f"before it gives {size}"
                )
            size = layer.output_size(size)
        return dense[0].n_in, size

    # -- the two passes ------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Logits ``(batch, n_outputs)`` for inputs ``(batch, n_features_in)``; no checks."""
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    __call__ = forward

    def backward(self, grad: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Back-propagate ``∂L/∂logits`` ``(batch, n_outputs)``; fills every ``.grad`` and
        returns ``∂L/∂x`` ``(batch, n_features_in)``.

        ``input_grad=False`` (what training uses) skips ``∂L/∂x`` when the first layer is
        Dense, and returns ``None``.
        """
        first = self.layers[0]
        for layer in reversed(self.layers[1:]):
            grad = layer.backward(grad)
        if not input_grad and isinstance(first, Dense):
            first.backward_parameters(grad)
            return None
        return first.backward(grad)

    def parameters(self) -> list[Parameter]:
        """Every trainable parameter, layer by layer (what an optimizer updates)."""
        return [p for layer in self.layers for p in layer.parameters()]

    def _pack_parameters(self) -> Parameter:
        """Move every parameter into one contiguous buffer (and every gradient into another),
        leaving each ``Parameter.data`` / ``.grad`` a view of its slice.

        Element-wise optimizers then update the whole network in one pass over one array
        (a handful of NumPy calls per step instead of a handful per parameter), and a snapshot
        of all weights is one copy. Layers keep seeing their own arrays, shapes unchanged.
        """
        params = self.parameters()
        total = sum(p.size for p in params)
        data = np.empty(total, dtype=self.dtype)
        grad = np.zeros(total, dtype=self.dtype)
        offset = 0
        for p in params:
            end = offset + p.size
            data[offset:end] = p.data.reshape(-1)
            p.data = data[offset:end].reshape(p.shape)
            p.grad = grad[offset:end].reshape(p.shape)
            offset = end
        flat = Parameter(data, "all")
        flat.grad = grad
        return flat

    def __setstate__(self, state: dict[str, Any]) -> None:
        """After unpickling or ``copy.deepcopy``: every parameter is a separate array again
        (NumPy pickles a view as a copy); make them views of the flat buffer once more, the
        same buffer object an optimizer pickled alongside is still bound to."""
        self.__dict__.update(state)
        flat = self._flat
        # owning copies: an unpickler may hand back views of its own buffer (joblib does)
        flat.data, flat.grad = flat.data.copy(), flat.grad.copy()
        offset = 0
        for p in self.parameters():
            end = offset + p.size
            flat.data[offset:end] = p.data.reshape(-1)
            flat.grad[offset:end] = p.grad.reshape(-1)
            p.data = flat.data[offset:end].reshape(p.shape)
            p.grad = flat.grad[offset:end].reshape(p.shape)
            offset = end

    def flat_parameter(self) -> Parameter:
        """All parameters as one :class:`Parameter` over a single buffer, in
        :meth:`parameters` order (what ``fit`` binds a fresh optimizer to).

        If a parameter's array was replaced since (``p.data = other``), the buffer is rebuilt
        around the current values first, so the views are always the arrays layers use.
        """
        for p in self.parameters():
            if p.data.base is not self._flat.data or p.grad.base is not self._flat.grad:
                self._flat = self._pack_parameters()
                break
        return self._flat

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    def penalty(self) -> float:
        """The regularisation penalty of every layer, added to the training loss."""
        return float(sum(layer.penalty() for layer in self.layers))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every parameter, then of every buffer (e.g. running statistics), in layer
        order: a snapshot that :meth:`set_weights` puts back."""
        arrays = [p.data.copy() for p in self.parameters()]
        arrays += [b.copy() for layer in self.layers for b in layer.buffers().values()]
        return arrays

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Write a :meth:`get_weights` snapshot back, in place (optimizers stay bound)."""
        targets = [p.data for p in self.parameters()]
        targets += [b for layer in self.layers for b in layer.buffers().values()]
        if not isinstance(weights, Sequence) or isinstance(weights, str | np.ndarray):
            raise TypeError(
                f"weights must be a list of arrays (as get_weights returns), got "
                f"{type(weights).__name__}"
            )
        if len(weights) != len(targets):
            raise ValueError(f"weights: expected {len(targets)} arrays, got {len(weights)}")
        checked = []
        for position, (target, value) in enumerate(zip(targets, weights, strict=True)):
            name = f"weights[{position}]"
            value = np.asarray(value)
            if value.dtype.kind not in "biuf":
                raise TypeError(f"{name} must hold real numbers, got dtype {value.dtype}")
            if value.shape != target.shape:
                raise ValueError(f"{name} must have shape {target.shape}, got {value.shape}")
            with np.errstate(over="ignore"):  # reported below
                cast = value.astype(target.dtype, copy=False)
            if not np.isfinite(cast).all():
                bad = tuple(int(i) for i in np.argwhere(~np.isfinite(cast))[0])
                raise ValueError(
                    f"{name} contains NaN or infinity, or values too large for {target.dtype} "
                    f"(first at index {bad}): got {value[bad]}"
                )
            checked.append(cast)  # all checked before any is written: a refusal changes nothing
        for target, value in zip(targets, checked, strict=True):
            np.copyto(target, value)

    # -- training and inference ----------------------------------------------------------
    def fit(self, X: Any, y: Any, **kwargs: Any) -> Any:
        """Train the model on ``(X, y)``: :func:`ffnn.training.fit` (see there for the
        arguments: ``loss``, ``optimizer``, ``epochs``, ``batch_size``, ...); returns its
        :class:`~ffnn.training.History`."""
        return _plugin("fit")(self, X, y, **kwargs)

    def save(self, path: Any, **kwargs: Any) -> None:
        """Write the model to ``path``: :func:`ffnn.io.save` (``include_optimizer=...``)."""
        _plugin("save")(self, path, **kwargs)

    def _loss_for(self, loss: str | Loss | None) -> Loss:
        if loss is not None:
            return losses_module.get(loss)
        if self.loss is None:
            raise ValueError(
                "the model has no loss yet: fit it first, pass loss=..., or set model.loss"
            )
        return self.loss

    def _logits(self, X: Any) -> np.ndarray:
        """Checked ``X`` through the network, in inference mode; refuses to hand on outputs
        that overflowed (they would give NaN probabilities or infinite values)."""
        X = check_array(X, "X", dtype=self.dtype)
        check_n_features(X, self.n_features_in)
        with np.errstate(over="ignore", invalid="ignore"):  # reported below, with the cause
            logits = self.forward(X, training=False)
        return self.check_finite_outputs(logits, X)

    def check_finite_outputs(self, logits: np.ndarray, X: Any) -> np.ndarray:
        """``logits`` ``(n_samples, n_outputs)``, computed from ``X`` (dense or sparse), once
        they are all finite; outputs that overflowed (they would give NaN probabilities or
        infinite values) are refused with a ``FloatingPointError`` naming the first row."""
        if not np.isfinite(logits).all():
            row = int(np.argwhere(~np.isfinite(logits))[0, 0])
            largest = max(float(np.abs(p.data).max()) for p in self.parameters())
            raise FloatingPointError(
                f"the network's outputs overflow {self.dtype} for X (first in row {row}, whose "
                f"largest |value| is {float(abs(X[row]).max()):g}; the largest |weight| is "
                f"{largest:g}): scale the inputs like the training data, or retrain with a "
                "smaller learning rate"
            )
        return logits

    def predict(self, X: Any) -> np.ndarray:
        """Labels (classification loss) or values (regression loss).

        Binary cross-entropy gives 0/1 ints (probability above 0.5), cross-entropy the index
        of the largest logit; a single output is returned flat, ``(n_samples,)``, otherwise
        ``(n_samples, n_outputs)``.
        """
        out = self._loss_for(None).predict(self._logits(X))
        return out[:, 0] if out.ndim == 2 and out.shape[1] == 1 else out

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities ``(n_samples, n_outputs)``: σ(logits) for binary cross-entropy (the
        probability of class 1 per output), softmax for cross-entropy."""
        loss = self._loss_for(None)
        if not loss.is_classifier:
            raise TypeError(f"predict_proba needs a classification loss, the model uses {loss!r}")
        return loss.link(self._logits(X))

    def evaluate(
        self,
        X: Any,
        y: Any,
        *,
        loss: str | Loss | None = None,
        metrics: Sequence[str] | None = None,
        sample_weight: Any = None,
    ) -> float | dict[str, float]:
        """The loss on ``(X, y)`` in inference mode, penalties included (what ``fit`` reports as
        ``val_loss``); with ``metrics``, a dict ``{"loss": ..., "accuracy": ...}`` instead."""
        from ffnn.metrics import check_metric_names, get_batch_metric

        metrics = check_metric_names(metrics)
        loss_fn = self._loss_for(loss)
        logits = self._logits(X)
        targets = loss_fn.prepare_targets(y, self.n_outputs, self.dtype)
        if targets.shape[0] != logits.shape[0]:
            raise ValueError(
                f"X and y must have the same number of samples, got {logits.shape[0]} and "
                f"{targets.shape[0]}"
            )
        weights = None
        if sample_weight is not None:
            weights = check_sample_weight(sample_weight, logits.shape[0], self.dtype)
        value = loss_fn.forward(logits, targets, weights) + self.penalty()
        if not metrics:
            return value
        result = {"loss": value}
        for name in metrics:
            result[name] = get_batch_metric(name, loss_fn)(loss_fn, logits, targets, weights)
        return result

    def layer_outputs(self, X: Any) -> list[np.ndarray]:
        """The output of every layer for ``X`` in inference mode, in order: the hidden
        activations, then the logits. ``[a.shape for a in ...]`` is ``[(n, size), ...]``."""
        x = check_array(X, "X", dtype=self.dtype)
        check_n_features(x, self.n_features_in)
        outputs = []
        for layer in self.layers:
            x = layer.forward(x, training=False)
            outputs.append(x)
        return outputs

    # -- inspection ----------------------------------------------------------------------
    def count_params(self) -> int:
        return sum(p.size for p in self.parameters())

    def summary(self, print_fn: Callable[[str], Any] = print) -> None:
        """Print a table: each layer, its output shape and parameter count, and the totals."""
        if not callable(print_fn):
            raise TypeError(f"print_fn must be callable, got {type(print_fn).__name__}")
        rows = [("Layer", "Output shape", "Params")]
        size = self.n_features_in
        for position, layer in enumerate(self.layers):
            size = layer.output_size(size)
            n_params = sum(p.size for p in layer.parameters())
            rows.append((f"{position}: {layer!r}", f"(None, {size})", f"{n_params:,}"))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        rule = "-" * (sum(widths) + 4)
        lines = [rule]
        for index, (name, shape, count) in enumerate(rows):
            lines.append(f"{name:<{widths[0]}}  {shape:<{widths[1]}}  {count:>{widths[2]}}")
            if index == 0:
                lines.append(rule)
        lines += [
            rule,
            f"Total params: {self.count_params():,} ({self.dtype})",
            f"Input features: {self.n_features_in}   Outputs: {self.n_outputs}   "
            f"Loss: {self.loss!r}",
        ]
        print_fn("\n".join(lines))

    def astype(self, dtype: Any) -> Sequential:
        """A copy of the model computing in ``dtype`` (e.g. float64 for a gradient check)."""
        dtype = check_dtype(dtype)
        clone = copy.deepcopy(self)
        clone.dtype = dtype
        for p in clone.parameters():
            p.data = p.data.astype(dtype)
            p.grad = p.grad.astype(dtype)
        for layer in clone.layers:
            for name, buffer in layer.buffers().items():
                setattr(layer, name, buffer.astype(dtype))
        clone._flat = clone._pack_parameters()
        return clone

    def __repr__(self) -> str:
        inner = ",\n".join(f"    {layer!r}" for layer in self.layers)
        return f"Sequential([\n{inner}\n], dtype={self.dtype})"
