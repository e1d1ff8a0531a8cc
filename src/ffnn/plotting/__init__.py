"""Pictures of data sets, training and networks (needs the ``plot`` extra).

matplotlib is optional (``pip install 'ffnn[plot]'``) and imported only when a function here is
called, never by ``import ffnn.plotting``. Every drawing function follows scikit-learn's
``ax=None`` style: it draws on the Axes it is given, or on a new figure, and returns the Axes
(a NumPy array of them for the pictures of several panels), so pictures compose::

    fig, (left, right) = plt.subplots(1, 2)
    plot_loss_curve(history, ax=left)
    plot_decision_boundary(model, X, y, ax=right)

On a machine without a display the non-interactive "Agg" backend is selected (unless a backend
was already chosen), so nothing here ever blocks or fails headless.

=====================================  ================================================
:func:`plot_dataset`                   2-D points coloured by class
:func:`plot_loss_curve`                the loss per iteration or epoch (+ validation)
:func:`plot_history`                   one panel per recorded quantity (loss, accuracy)
:func:`plot_decision_boundary`         binary P(class 1) or multi-class regions
:class:`DecisionBoundaryRecorder`      a callback: the boundary every N epochs
:func:`save_decision_boundary_animation` those snapshots as a GIF
:func:`plot_weight_histograms`         the weights (and biases) of each Dense layer
:func:`plot_activation_histograms`     the outputs of each layer for some inputs
:func:`plot_confusion_matrix`          counts or fractions, true against predicted
:func:`save_figure`                    write a picture atomically, then close it
:func:`output_folder`                  a new folder for a script's pictures
=====================================  ================================================
"""

from __future__ import annotations

# The constants, the types and the lazy pyplot stay importable from here as before the split
# (the command line draws its side-by-side window with _pyplot).
from ffnn.plotting._base import CMAP as CMAP
from ffnn.plotting._base import DPI as DPI
from ffnn.plotting._base import FIGSIZE as FIGSIZE
from ffnn.plotting._base import MAX_CLASSES as MAX_CLASSES
from ffnn.plotting._base import MULTICLASS_CMAP as MULTICLASS_CMAP
from ffnn.plotting._base import _pyplot as _pyplot
from ffnn.plotting._base import output_folder, save_figure, show_if_interactive
from ffnn.plotting.animation import DecisionBoundaryRecorder, save_decision_boundary_animation
from ffnn.plotting.boundary import Predictor as Predictor
from ffnn.plotting.boundary import SupportsPredictProba as SupportsPredictProba
from ffnn.plotting.boundary import plot_dataset, plot_decision_boundary
from ffnn.plotting.confusion import plot_confusion_matrix
from ffnn.plotting.curves import plot_history, plot_loss_curve
from ffnn.plotting.histograms import plot_activation_histograms, plot_weight_histograms

__all__ = [
    "plot_dataset",
    "plot_loss_curve",
    "plot_history",
    "plot_decision_boundary",
    "DecisionBoundaryRecorder",
    "save_decision_boundary_animation",
    "plot_weight_histograms",
    "plot_activation_histograms",
    "plot_confusion_matrix",
    "show_if_interactive",
    "save_figure",
    "output_folder",
]
