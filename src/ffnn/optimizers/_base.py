"""The optimizer protocol: :class:`Optimizer` (binding, clipping, weight decay, state, the
chunked update loop), its registry and :func:`get`, and the gradient clipping functions (see
:mod:`ffnn.optimizers`)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ffnn._checks import (
    check_optional_positive_float,
    check_positive_float,
)
from ffnn._registry import Registry
from ffnn.layers import Parameter

__all__ = [
    "CHUNK",
    "OPTIMIZERS",
    "Optimizer",
    "State",
    "Work",
    "clip_grad_norm",
    "clip_grad_value",
    "get",
]


def clip_grad_value(parameters: Iterable[Parameter], clip_value: float) -> None:
    """Clamp every gradient entry to ``[-clip_value, clip_value]``, in place.

    ``g ← min(max(g, -v), v)``, as ``torch.nn.utils.clip_grad_value_``.
    """
    for p in parameters:
        np.clip(p.grad, -clip_value, clip_value, out=p.grad)


def clip_grad_norm(parameters: Iterable[Parameter], max_norm: float) -> float:
    """Rescale all gradients together, in place, so that their global L2 norm is at most
    ``max_norm``; return the norm before clipping.

    ``‖g‖ = √(Σ_params Σ_entries g²)``, ``g ← g · min(1, max_norm / (‖g‖ + 10⁻⁶))``, as
    ``torch.nn.utils.clip_grad_norm_`` (the 10⁻⁶ guards the division). A non-finite norm leaves
    the gradients as they are (PyTorch would multiply them all by 0 or NaN): the NaN or infinity
    then reaches the parameters, where ``fit`` reports it.
    """
    grads = [p.grad for p in parameters]
    total = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    coefficient = max_norm / (total + 1e-6)
    if coefficient < 1.0:
        for g in grads:
            g *= coefficient
    return total


#: The arrays :meth:`Optimizer._update` gets: the state by name, and the scratch buffers.
State = dict[str, np.ndarray]
Work = tuple[np.ndarray, ...]

#: Entries of a parameter updated in one pass: 64 Ki values keep the work buffers in cache.
CHUNK = 1 << 16


#: Every optimizer by short name (for :func:`get`) and class name (for checkpoints).
OPTIMIZERS: Registry[type[Optimizer]] = Registry("optimizer")


class Optimizer:
    """Base class: :meth:`step` clips the gradients, then calls the one update hook,
    :meth:`_update`, for every parameter.

    A subclass validates and stores its settings (named in ``_hyperparameters``) before calling
    ``Optimizer.__init__``, names its per-parameter state arrays in :meth:`_state_names` and
    writes ``_update(data, grad, state, work)``; ``self.iterations`` is then the 1-based step
    number ``t``. The hook sees a parameter (or, for a large one, a slice of it; every rule is
    element-wise) as arrays of one shape: its values ``data`` (updated in place), ``grad``, the
    ``state`` arrays by name, and ``_n_work`` scratch arrays ``work``.

    Parameters
    ----------
    learning_rate : η > 0; a public attribute, validated again whenever it is set.
    parameters : the :class:`~ffnn.layers.Parameter` list to update, or ``None`` to
        :meth:`bind` later.
    clip_norm : if given (> 0), rescale the gradients when their global L2 norm exceeds it.
    clip_value : if given (> 0), clamp every gradient entry to ``[-clip_value, clip_value]``.

    The other settings are fixed at construction (the state arrays are allocated for them);
    build a new optimizer, or :meth:`load_state_dict`, to change them.
    """

    #: Constructor arguments besides ``learning_rate`` and the clipping ones, in order.
    _hyperparameters: tuple[str, ...] = ()
    #: Scratch arrays :meth:`_update` gets, of at most :data:`CHUNK` values each (shared by every
    #: parameter of a dtype).
    _n_work = 1

    def __init__(
        self,
        learning_rate: float,
        *,
        parameters: Iterable[Parameter] | None = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ) -> None:
        self.learning_rate = learning_rate
        self.clip_norm = check_optional_positive_float(clip_norm, "clip_norm")
        self.clip_value = check_optional_positive_float(clip_value, "clip_value")
        self.parameters: list[Parameter] = []
        self.iterations = 0
        self.state: dict[str, list[np.ndarray]] = {}
        self._pools: dict[np.dtype, list[np.ndarray]] = {}
        if parameters is None:
            self._reset_state()  # empty lists, so that state_dict() has the same keys unbound
        else:
            self.bind(parameters)

    @property
    def learning_rate(self) -> float:
        """η, read at every step: a new value applies from the next step on."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = check_positive_float(value, "learning_rate")

    def bind(self, parameters: Iterable[Parameter]) -> Optimizer:
        """Attach the parameters to update (and forget any state kept for earlier ones)."""
        if isinstance(parameters, Parameter) or not isinstance(parameters, Iterable):
            raise TypeError(
                "parameters must be a list of ffnn Parameter objects (model.parameters()), got "
                f"{type(parameters).__name__}"
            )
        params = list(parameters)
        for p in params:
            if not isinstance(p, Parameter):
                raise TypeError(
                    f"parameters: expected ffnn Parameter objects, got {type(p).__name__}"
                )
        if len({id(p) for p in params}) != len(params):
            raise ValueError("the same Parameter appears more than once; it would be updated twice")
        self.parameters = params
        self.iterations = 0
        self._reset_state()
        return self

    def _state_names(self) -> tuple[str, ...]:
        """Names of the per-parameter state arrays these settings need (none by default)."""
        return ()

    def _reset_state(self) -> None:
        """Zero state arrays shaped like each parameter; work buffers for :meth:`_update`.

        Updates run on at most :data:`CHUNK` entries at a time, so the work buffers are
        ``_n_work`` flat arrays per dtype of at most that size: a little scratch memory that
        stays in the CPU's cache, however large the network.
        """
        self.state = {
            name: [np.zeros_like(p.data) for p in self.parameters] for name in self._state_names()
        }
        sizes: dict[np.dtype, int] = {}
        for p in self.parameters:
            sizes[p.data.dtype] = max(sizes.get(p.data.dtype, 0), min(p.size, CHUNK))
        self._pools = {
            dtype: [np.empty(size, dtype) for _ in range(self._n_work)]
            for dtype, size in sizes.items()
        }

    def zero_grad(self) -> None:
        """Set every bound parameter's gradient to 0 (layers overwrite it anyway)."""
        for p in self.parameters:
            p.zero_grad()

    def step(self) -> None:
        """Apply one update to every bound parameter (after clipping the gradients in place)."""
        if not self.parameters:
            raise RuntimeError(
                f"{type(self).__name__} has no parameters: pass parameters= or call bind()"
            )
        self.iterations += 1
        if self.clip_value is not None:
            clip_grad_value(self.parameters, self.clip_value)
        if self.clip_norm is not None:
            clip_grad_norm(self.parameters, self.clip_norm)
        for index, p in enumerate(self.parameters):
            state = {name: arrays[index] for name, arrays in self.state.items()}
            arrays = [p.data, p.grad, *state.values()]
            if p.size <= CHUNK or not all(a.flags.c_contiguous for a in arrays):
                pool = self._pools[p.data.dtype]
                if p.size > pool[0].size:  # a large parameter that is not contiguous
                    pool = [np.empty(p.size, p.data.dtype) for _ in pool]
                work = tuple(flat[: p.size].reshape(p.shape) for flat in pool)
                self._update(p.data, p.grad, state, work)
                continue
            data, grad, *flat_state = (a.reshape(-1) for a in arrays)  # views: contiguous
            pool = self._pools[p.data.dtype]
            for start in range(0, p.size, CHUNK):
                part = slice(start, min(start + CHUNK, p.size))
                length = part.stop - start
                self._update(
                    data[part],
                    grad[part],
                    {name: a[part] for name, a in zip(state, flat_state, strict=True)},
                    tuple(flat[:length] for flat in pool),
                )

    def _update(self, data: np.ndarray, grad: np.ndarray, state: State, work: Work) -> None:
        """Update ``data`` in place from ``grad``, the ``state`` arrays and ``work`` scratch."""
        raise NotImplementedError

    @staticmethod
    def _decayed_gradient(
        data: np.ndarray, grad: np.ndarray, work: np.ndarray, weight_decay: float
    ) -> np.ndarray:
        """``g + λθ`` in ``work`` (``grad`` itself when ``λ = 0``)."""
        if not weight_decay:
            return grad
        np.multiply(data, weight_decay, out=work)
        work += grad
        return work

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (JSON-able): ``type(opt)(**opt.get_config())`` is a copy."""
        return {
            "learning_rate": self.learning_rate,
            **{name: getattr(self, name) for name in self._hyperparameters},
            "clip_norm": self.clip_norm,
            "clip_value": self.clip_value,
        }

    def state_dict(self) -> dict[str, Any]:
        """A snapshot to checkpoint: ``{"name", "config", "iterations", "state"}``.

        ``name`` is the class name, ``config`` :meth:`get_config` (with the current learning
        rate), ``state`` maps each state name to a list of array copies, one per parameter.
        """
        return {
            "name": type(self).__name__,
            "config": self.get_config(),
            "iterations": self.iterations,
            "state": {name: [a.copy() for a in arrays] for name, arrays in self.state.items()},
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore a :meth:`state_dict`: settings, step count and state arrays (copied in).

        Bind the parameters first; the arrays must match them in number and shape. A resumed
        run then continues bit for bit as an uninterrupted one. On error nothing is changed.
        """
        name = state.get("name")
        if name != type(self).__name__:
            raise ValueError(f"the state is for optimizer {name!r}, not {type(self).__name__!r}")
        iterations = state.get("iterations")
        if not isinstance(iterations, numbers.Integral) or isinstance(iterations, bool):
            raise TypeError(f"iterations must be an int, got {type(iterations).__name__}")
        if iterations < 0:
            raise ValueError(f"iterations must be >= 0, got {iterations}")
        # Build a validated copy, then adopt it whole, so a failed load leaves self untouched.
        loaded = type(self)(**state.get("config", {}), parameters=self.parameters or None)
        arrays = state.get("state", {})
        if set(arrays) != set(loaded.state):
            raise ValueError(
                f"state arrays {sorted(arrays)} do not match the {sorted(loaded.state)} "
                f"that {name} with this config keeps"
            )
        for key, targets in loaded.state.items():
            if len(arrays[key]) != len(self.parameters):
                raise ValueError(
                    f"state {key!r} holds {len(arrays[key])} arrays but the optimizer has "
                    f"{len(self.parameters)} parameters; bind the model's parameters first"
                )
            for i, (target, source) in enumerate(zip(targets, arrays[key], strict=True)):
                source = np.asarray(source)
                if source.shape != target.shape:
                    raise ValueError(
                        f"state {key!r}[{i}] has shape {source.shape}, the parameter {target.shape}"
                    )
                np.copyto(target, source, casting="same_kind")
        loaded.iterations = int(iterations)
        vars(self).update(vars(loaded))

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({settings})"


def get(identifier: str | Mapping[str, Any] | Optimizer) -> Optimizer:
    """An optimizer from its name, its configuration, or the instance itself.

    - a name (``"sgd"``, ``"adam"``, ``"adamw"``, ``"rmsprop"``, ``"adagrad"``, any case):
      that optimizer with its default settings;
    - a mapping with ``"name"`` and either the constructor arguments beside it
      (``{"name": "adam", "learning_rate": 0.01}``) or under ``"config"`` (the form of
      :meth:`Optimizer.state_dict`, whose ``iterations`` and ``state`` are not loaded here:
      bind, then call :meth:`Optimizer.load_state_dict`);
    - an :class:`Optimizer`: returned as it is.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, Mapping):
        settings = dict(identifier)
        if "name" not in settings:
            raise ValueError(f"an optimizer config needs a 'name', got keys {sorted(settings)}")
        name = settings.pop("name")
        if "config" in settings:
            settings = dict(settings["config"])
        cls = _class_named(name)
        try:
            return cls(**settings)
        except TypeError as error:
            if "unexpected keyword argument" not in str(error):
                raise
            raise TypeError(f"invalid arguments for optimizer {name!r}: {error}") from None
    if isinstance(identifier, str):
        return _class_named(identifier)()
    raise TypeError(
        "optimizer must be a name, a config mapping or an Optimizer, got "
        f"{type(identifier).__name__} {identifier!r}"
    )


def _class_named(name: Any) -> Callable[..., Optimizer]:
    cls = OPTIMIZERS.find(name)
    if cls is None:
        raise ValueError(
            f"unknown optimizer {name!r}; expected an Optimizer or one of {OPTIMIZERS.names()}"
        )
    return cls
