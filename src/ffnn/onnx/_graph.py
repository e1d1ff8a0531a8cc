"""The graph under construction: what a layer's ``to_onnx(graph, x)`` hook is handed.

Every value of the graph is named by a string. A hook adds operators with :meth:`Graph.node`
and weights with :meth:`Graph.constant`, and returns the name of its output; the names it gives
are scoped by the layer's position (``layers.2/Mul``, ``layers.2.weight``), so two layers never
clash.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["Graph"]


class Graph:
    """Nodes and weights of an ONNX graph being built.

    Attributes
    ----------
    dtype : the float type of the graph, ``np.dtype(np.float32)`` or ``np.dtype(np.float64)``.
    opset : the ONNX opset being written (13 or newer).
    scope : the prefix of the names given now (``"layers.2"`` while layer 2 is converted).
    onnx : the ``onnx`` module, for a hook that needs more than :meth:`node` and
        :meth:`constant`.
    """

    def __init__(self, onnx: Any, dtype: np.dtype, opset: int) -> None:
        self.onnx = onnx
        self.dtype = dtype
        self.opset = opset
        self.scope = "graph"
        self.elem_type = onnx.helper.np_dtype_to_tensor_dtype(dtype)
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._names: set[str] = {"input"}

    def _unique(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self._names:
            n += 1
            candidate = f"{name}_{n}"
        self._names.add(candidate)
        return candidate

    def constant(self, name: str, value: Any, dtype: Any = None) -> str:
        """Add a weight or constant ``value`` as ``{scope}.{name}``, in the graph's float type
        unless ``dtype`` says otherwise; returns its name."""
        array = np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        unique = self._unique(f"{self.scope}.{name}")
        self.initializers.append(self.onnx.numpy_helper.from_array(array, unique))
        return unique

    def node(
        self,
        op: str,
        inputs: Sequence[str],
        *,
        out: str = "",
        scope: str | None = None,
        **attributes: Any,
    ) -> str:
        """Add the ONNX operator ``op`` applied to ``inputs`` (names of values), with its
        ``attributes`` (``axis=1``, ``alpha=0.01``); returns the name of its output (``out``,
        or ``{scope}/{op}`` made unique)."""
        output = out or self._unique(f"{scope or self.scope}/{op}")
        if out:
            self._names.add(out)
        self.nodes.append(
            self.onnx.helper.make_node(op, list(inputs), [output], name=output, **attributes)
        )
        return output

    def rename(self, old: str, new: str) -> None:
        """Call the value ``old`` ``new`` everywhere (the last layer's output becomes
        ``logits``)."""
        for node in self.nodes:
            node.input[:] = [new if name == old else name for name in node.input]
            node.output[:] = [new if name == old else name for name in node.output]
        self._names.add(new)
