"""ONNX export: a trained network as a file that onnxruntime (or any ONNX runtime) runs without
ffnn, NumPy or Python.

:func:`export_onnx` writes the file (atomically, as :func:`ffnn.save`); :func:`to_onnx` returns
the ``onnx.ModelProto``, checked by ``onnx.checker``. The graph reads ``input``
``(batch, n_features)``, ``batch`` symbolic, and runs each layer in inference form:

==================  =========================================================================
ffnn layer          ONNX operators (each from the layer's own ``to_onnx``)
==================  =========================================================================
Dense               ``Gemm``: ``x W + b``
ReLU, Tanh,         ``Relu``, ``Tanh``, ``Sigmoid``, ``Softmax(axis=1)``
Sigmoid, Softmax
LeakyReLU, ELU,     ``LeakyRelu(alpha)``, ``Elu(alpha)``, ``Softplus``; in float64 (no
Softplus            onnxruntime kernels) ``Where``, ``Exp``, ``Log`` as ffnn computes them
GELU                ``Gelu(approximate)`` from opset 20; below, ``x ½ (1 + erf(x / √2))``, or
                    ``x σ(2 √(2/π) (x + 0.044715 x³))`` for the tanh form (also in float64)
SiLU                ``x · Sigmoid(x)``
Mish                ``Mish`` from opset 18 (float32); below, ``x · tanh(softplus(x))``
Identity, Dropout   nothing (dropout is the identity at inference)
BatchNorm           ``BatchNormalization`` with the running mean and variance
LayerNorm           ``LayerNormalization`` from opset 17; below, ``ReduceMean``, ``Sqrt``, ...
your own layer      what its ``to_onnx(graph, x) -> str`` adds (:class:`Graph`); without one,
                    a ``ValueError`` naming the layer and the hook
==================  =========================================================================

Then the head, from the model's loss or the estimator: ``logits`` ``(batch, n_outputs)``; for a
classifier ``probabilities`` (``predict_proba``) and ``label`` (``predict``; an estimator's
``classes_`` looked up by index); for a regressor ``predictions`` (``predict``).

With ``preprocessor=`` (a fitted :class:`ffnn.TablePreprocessor`), ``classes=`` or
``target_scaling=``, the graph answers as ``ffnn predict`` does: it reads the raw columns (one
input per column used, float64 numbers or strings, ``(batch, 1)``), preprocesses them inside the
graph (``ai.onnx.ml`` ``LabelEncoder`` for text, dates parsed with ``StringSplit`` from opset 20)
and gives ``label`` (the class labels) and ``probabilities`` (two columns for a binary network),
or ``prediction`` in the target's units.

A float64 export spells BatchNorm and LayerNorm out too (their ``epsilon`` attribute is a 32-bit
float) and refuses an exact GELU: onnxruntime has no float64 ``Erf``, and its float64 ``Gelu``
is no more accurate than float32.

Needs the ``onnx`` extra (``pip install 'ffnn[onnx]'``); importing this module does not import
onnx.

Modules: :mod:`ffnn.onnx._graph` (the graph a layer's hook fills), :mod:`ffnn.onnx._head`
(the outputs after the logits), :mod:`ffnn.onnx._form` (the answering form's ends),
:mod:`ffnn.onnx._table` (each column kind's encoding), :mod:`ffnn.onnx._dates` (ISO dates parsed
in the graph), :mod:`ffnn.onnx.export` (the two functions).
"""

from __future__ import annotations

from ffnn.onnx._graph import Graph
from ffnn.onnx._head import OUTPUTS
from ffnn.onnx.export import DEFAULT_OPSET, MIN_OPSET, export_onnx, to_onnx

__all__ = ["DEFAULT_OPSET", "MIN_OPSET", "OUTPUTS", "Graph", "export_onnx", "to_onnx"]
