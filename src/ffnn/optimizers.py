"""Optimizers: update every parameter in place from its gradient.

The contract with a model is PyTorch's: an optimizer holds a list of
:class:`~ffnn.layers.Parameter`, ``step()`` updates each ``.data`` from its ``.grad`` (and the
optimizer's own state), ``zero_grad()`` clears the gradients. An optimizer may be created
without parameters (``SGD(learning_rate=0.1)``) and bound to a model's by ``fit``.

Every update rule is the one ``torch.optim`` documents, with its defaults, so runs can be
checked step by step against PyTorch. Conventions shared by all optimizers:

- ``learning_rate`` may be changed between steps (by a callback or a schedule); the next step
  uses the new value, as changing ``param_groups[0]["lr"]`` does in PyTorch.
- ``weight_decay`` is PyTorch's L2 form ``g ← g + λθ`` (except in :class:`AdamW`), applied to
  every bound parameter; it is computed in a work buffer, so ``param.grad`` is left as it was.
- ``clip_value`` then ``clip_norm`` clip the gradients *in place* before the update, as
  :func:`clip_grad_value` and :func:`clip_grad_norm` do (like ``torch.nn.utils``): after
  ``step()``, ``param.grad`` holds the clipped gradient that was used.
- State is kept in parallel lists, one array per parameter (``optimizer.state["m"][i]``), and
  updated in place; temporaries live in work buffers shared by all parameters of a dtype, so a
  step allocates no parameter-sized array and float32 parameters stay float32.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ffnn._checks import (
    check_bool,
    check_fraction,
    check_non_negative_float,
    check_optional_positive_float,
    check_positive_float,
)
from ffnn._registry import Registry
from ffnn.layers import Parameter

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSprop",
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


@OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    """Stochastic gradient descent, with momentum (Polyak 1964; Sutskever et al. 2013, "On the
    importance of initialization and momentum in deep learning", for the Nesterov form).

    ``g ← g + λθ`` (weight decay); with momentum ``μ > 0``: ``b ← μ b + (1 - τ) g`` (``b = g``
    at the first step), then ``g ← g + μ b`` (Nesterov) or ``g ← b``; finally ``θ ← θ - η g``.
    This is PyTorch's form: the buffer ``b`` holds no learning rate, so a new ``η`` applies
    to the whole step. Plain SGD, with full batches, is the tutorial's ``update_parameters``.

    Parameters
    ----------
    learning_rate : η > 0.
    momentum : μ >= 0 (0: plain SGD, no state kept).
    dampening : τ in [0, 1], the share of the gradient left out of the buffer.
    weight_decay : λ >= 0.
    nesterov : look ahead with ``g + μ b``; needs μ > 0 and τ = 0.
    parameters, clip_norm, clip_value : see :class:`Optimizer` and the module docstring.
    """

    _hyperparameters = ("momentum", "dampening", "weight_decay", "nesterov")
    _n_work = 2

    def __init__(
        self,
        learning_rate: float = 0.01,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        parameters: Iterable[Parameter] | None = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ) -> None:
        self.momentum = check_non_negative_float(momentum, "momentum")
        self.dampening = check_fraction(dampening, "dampening", closed=True)
        self.weight_decay = check_non_negative_float(weight_decay, "weight_decay")
        self.nesterov = check_bool(nesterov, "nesterov")
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "nesterov=True requires momentum > 0 and dampening == 0, got "
                f"momentum={momentum} and dampening={dampening}"
            )
        super().__init__(
            learning_rate, parameters=parameters, clip_norm=clip_norm, clip_value=clip_value
        )

    def _state_names(self) -> tuple[str, ...]:
        return ("momentum_buffer",) if self.momentum else ()

    def _update(self, data: np.ndarray, grad: np.ndarray, state: State, work: Work) -> None:
        scratch = work[1]
        grad = self._decayed_gradient(data, grad, work[0], self.weight_decay)
        direction = grad
        if self.momentum:
            buffer = state["momentum_buffer"]
            if self.iterations == 1:
                buffer[...] = grad  # PyTorch starts the buffer at the first gradient, undamped
            else:
                buffer *= self.momentum
                if self.dampening:
                    buffer += np.multiply(grad, 1.0 - self.dampening, out=scratch)
                else:
                    buffer += grad
            if self.nesterov:
                direction = np.multiply(buffer, self.momentum, out=scratch)
                direction += grad  # g + μ b
            else:
                direction = buffer
        # θ -= η g, evaluated as the tutorial does (η·g first), so plain SGD matches it bit for bit
        data -= np.multiply(direction, self.learning_rate, out=scratch)


@OPTIMIZERS.register("adam")
class Adam(Optimizer):
    """Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization").

    ``g ← g + λθ`` (L2 weight decay, PyTorch's ``Adam``), then, at step ``t``::

        m ← β₁ m + (1 - β₁) g            v ← β₂ v + (1 - β₂) g²
        v_max ← max(v_max, v)            (AMSGrad, Reddi et al. 2018; v̂ uses v_max)
        θ ← θ - η m̂ / (√v̂ + ε)           m̂ = m / (1 - β₁ᵗ),  v̂ = v / (1 - β₂ᵗ)

    so the first step is ``≈ -η sign(g)``. State: ``m``, ``v`` (and ``v_max``).

    Parameters
    ----------
    learning_rate : η > 0.
    beta_1, beta_2 : decay rates of the moment estimates, in [0, 1).
    epsilon : ε > 0, added to √v̂.
    weight_decay : λ >= 0.
    amsgrad : divide by the running maximum of v (AMSGrad).
    parameters, clip_norm, clip_value : see :class:`Optimizer` and the module docstring.
    """

    _hyperparameters = ("beta_1", "beta_2", "epsilon", "weight_decay", "amsgrad")
    _n_work = 2
    #: AdamW's decay θ ← θ(1 - ηλ) instead of the L2 gradient term.
    _decoupled = False

    def __init__(
        self,
        learning_rate: float = 1e-3,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        parameters: Iterable[Parameter] | None = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ) -> None:
        self.beta_1 = check_fraction(beta_1, "beta_1")
        self.beta_2 = check_fraction(beta_2, "beta_2")
        self.epsilon = check_positive_float(epsilon, "epsilon")
        self.weight_decay = check_non_negative_float(weight_decay, "weight_decay")
        self.amsgrad = check_bool(amsgrad, "amsgrad")
        super().__init__(
            learning_rate, parameters=parameters, clip_norm=clip_norm, clip_value=clip_value
        )

    def _state_names(self) -> tuple[str, ...]:
        return ("m", "v", "v_max") if self.amsgrad else ("m", "v")

    def _update(self, data: np.ndarray, grad: np.ndarray, state: State, work: Work) -> None:
        scratch = work[1]
        if self._decoupled:
            if self.weight_decay:
                data *= 1.0 - self.learning_rate * self.weight_decay
            grad = grad
        else:
            grad = self._decayed_gradient(data, grad, work[0], self.weight_decay)
        m, v = state["m"], state["v"]
        # m ← β₁ m + (1 - β₁) g, computed m + (1 - β₁)(g - m) as PyTorch's lerp
        np.subtract(grad, m, out=scratch)
        scratch *= 1.0 - self.beta_1
        m += scratch
        # v ← β₂ v + (1 - β₂) g²
        v *= self.beta_2
        np.multiply(grad, 1.0 - self.beta_2, out=scratch)
        scratch *= grad
        v += scratch
        if self.amsgrad:
            v = np.maximum(state["v_max"], v, out=state["v_max"])
        t = self.iterations
        step_size = self.learning_rate / (1.0 - self.beta_1**t)
        denominator = np.sqrt(v, out=scratch)
        denominator /= (1.0 - self.beta_2**t) ** 0.5
        denominator += self.epsilon  # √v̂ + ε
        np.divide(m, denominator, out=scratch)
        scratch *= step_size
        data -= scratch  # θ ← θ - η m̂ / (√v̂ + ε)


@OPTIMIZERS.register("adamw")
class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight
    Decay Regularization").

    ``θ ← θ - η λ θ`` first, then the :class:`Adam` step on the gradient as it is (no ``λθ``
    term in ``m`` and ``v``). PyTorch's default ``λ = 10⁻²``.
    """

    _decoupled = True

    def __init__(
        self,
        learning_rate: float = 1e-3,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        parameters: Iterable[Parameter] | None = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ) -> None:
        super().__init__(
            learning_rate,
            beta_1,
            beta_2,
            epsilon,
            weight_decay,
            amsgrad,
            parameters=parameters,
            clip_norm=clip_norm,
            clip_value=clip_value,
        )


@OPTIMIZERS.register("rmsprop")
class RMSprop(Optimizer):
    """RMSprop (Hinton, Srivastava & Swersky, "Neural Networks for Machine Learning", lecture 6e;
    the centered form from Graves 2013, "Generating Sequences With Recurrent Neural Networks").

    ``g ← g + λθ``, then::

        v ← ρ v + (1 - ρ) g²                       (state "square_average")
        ḡ ← ρ ḡ + (1 - ρ) g                        (centered only, "gradient_average")
        d ← √v + ε  or, centered, √max(v - ḡ², 0) + ε
        b ← μ b + g / d,  θ ← θ - η b               (momentum μ > 0, "momentum_buffer")
        θ ← θ - η g / d                             (μ = 0)

    As PyTorch's ``RMSprop``, whose ``alpha`` is ``rho`` here; the ``max(·, 0)`` keeps rounding
    from taking a square root of a tiny negative number (PyTorch would give NaN there).

    Parameters
    ----------
    learning_rate : η > 0.
    rho : ρ in [0, 1), the decay of the averages.
    epsilon : ε > 0.
    weight_decay : λ >= 0.
    momentum : μ >= 0.
    centered : divide by an estimate of the gradient's variance instead of its second moment.
    parameters, clip_norm, clip_value : see :class:`Optimizer` and the module docstring.
    """

    _hyperparameters = ("rho", "epsilon", "weight_decay", "momentum", "centered")
    _n_work = 2

    def __init__(
        self,
        learning_rate: float = 1e-2,
        rho: float = 0.99,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        parameters: Iterable[Parameter] | None = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ) -> None:
        self.rho = check_fraction(rho, "rho")
        self.epsilon = check_positive_float(epsilon, "epsilon")
        self.weight_decay = check_non_negative_float(weight_decay, "weight_decay")
        self.momentum = check_non_negative_float(momentum, "momentum")
        self.centered = check_bool(centered, "centered")
        super().__init__(
            learning_rate, parameters=parameters, clip_norm=clip_norm, clip_value=clip_value
        )

    def _state_names(self) -> tuple[str, ...]:
        return (
            ("square_average",)
            + (("gradient_average",) if self.centered else ())
            + (("momentum_buffer",) if self.momentum else ())
        )

    def _update(self, data: np.ndarray, grad: np.ndarray, state: State, work: Work) -> None:
        scratch = work[1]
        grad = self._decayed_gradient(data, grad, work[0], self.weight_decay)
        square_average = state["square_average"]
        # v ← ρ v + (1 - ρ) g²
        square_average *= self.rho
        np.multiply(grad, 1.0 - self.rho, out=scratch)
        scratch *= grad
        square_average += scratch
        if self.centered:
            # ḡ ← ρ ḡ + (1 - ρ) g, as PyTorch's lerp ḡ + (1 - ρ)(g - ḡ); then v - ḡ² ≥ 0
            average = state["gradient_average"]
            np.subtract(grad, average, out=scratch)
            scratch *= 1.0 - self.rho
            average += scratch
            np.square(average, out=scratch)
            np.subtract(square_average, scratch, out=scratch)
            np.maximum(scratch, 0.0, out=scratch)
            np.sqrt(scratch, out=scratch)
        else:
            np.sqrt(square_average, out=scratch)
        scratch += self.epsilon
        direction = np.divide(grad, scratch, out=scratch)  # g / d
        if self.momentum:
            buffer = state["momentum_buffer"]
            buffer *= self.momentum
            buffer += direction
            direction = buffer
        data -= np.multiply(direction, self.learning_rate, out=scratch)


@OPTIMIZERS.register("adagrad")
class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer 2011, "Adaptive Subgradient Methods for Online Learning
    and Stochastic Optimization").

    ``g ← g + λθ``, then, at step ``t``::

        s ← s + g²                       (state "sum", starts at initial_accumulator_value)
        η_t = η / (1 + (t - 1) · lr_decay)
        θ ← θ - η_t g / (√s + ε)

    As PyTorch's ``Adagrad``; the first step is ``≈ -η sign(g)`` when s starts at 0.

    Parameters
    ----------
    learning_rate : η > 0.
    lr_decay : >= 0, the learning rate's decay per step.
    weight_decay : λ >= 0.
    initial_accumulator_value : >= 0, the starting value of every entry of s.
    epsilon : ε > 0.
    parameters, clip_norm, clip_value : see :class:`Optimizer` and the module docstring.
    """

    _hyperparameters = ("lr_decay", "weight_decay", "initial_accumulator_value", "epsilon")
    _n_work = 2

    def __init__(
        self,
        learning_rate: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        epsilon: float = 1e-10,
        *,
        parameters: Iterable[Parameter] | None = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ) -> None:
        self.lr_decay = check_non_negative_float(lr_decay, "lr_decay")
        self.weight_decay = check_non_negative_float(weight_decay, "weight_decay")
        self.initial_accumulator_value = check_non_negative_float(
            initial_accumulator_value, "initial_accumulator_value"
        )
        self.epsilon = check_positive_float(epsilon, "epsilon")
        super().__init__(
            learning_rate, parameters=parameters, clip_norm=clip_norm, clip_value=clip_value
        )

    def _state_names(self) -> tuple[str, ...]:
        return ("sum",)

    def _reset_state(self) -> None:
        super()._reset_state()
        for s in self.state["sum"]:
            s.fill(self.initial_accumulator_value)

    def _update(self, data: np.ndarray, grad: np.ndarray, state: State, work: Work) -> None:
        scratch = work[1]
        grad = self._decayed_gradient(data, grad, work[0], self.weight_decay)
        total = state["sum"]
        total += np.multiply(grad, grad, out=scratch)  # s ← s + g²
        rate = self.learning_rate / (1.0 + (self.iterations - 1) * self.lr_decay)
        np.sqrt(total, out=scratch)
        scratch += self.epsilon
        np.divide(grad, scratch, out=scratch)  # g / (√s + ε)
        scratch *= rate
        data -= scratch


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
