"""Deprecated location of ONNX export, kept so that ``from ffnn.onnx_export import export_onnx``
goes on working: the export lives in :mod:`ffnn.onnx`."""

from __future__ import annotations

from ffnn.onnx import DEFAULT_OPSET, MIN_OPSET, OUTPUTS, export_onnx, to_onnx

__all__ = ["DEFAULT_OPSET", "MIN_OPSET", "OUTPUTS", "export_onnx", "to_onnx"]
