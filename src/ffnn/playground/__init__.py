"""The playground: ffnn's own network learning in the browser (``ffnn playground``).

A local page (``static/``) talks JSON to a Python process that trains a real ffnn network
with the one training loop, in one background thread.

Modules, one concept each:

- :mod:`~ffnn.playground.config`: the settings (CONFIG), their checks, the tutorial preset.
- :mod:`~ffnn.playground.data`: the data sets (generated, or a CSV table read as ``ffnn train``
  reads it) and their split into training and test points.
- :mod:`~ffnn.playground.upload`: an uploaded CSV file read without writing a file.
- :mod:`~ffnn.playground.network`: the network, loss and optimizer of the settings.
- :mod:`~ffnn.playground.trainer`: ``model.fit`` in a thread, paused and stepped by a callback.
- :mod:`~ffnn.playground.frame`: what the page draws (boundary, units, weights, curves).
- :mod:`~ffnn.playground.export`: the run as a short Python script.
- :mod:`~ffnn.playground.session`: one playground (settings, data, network, run).
- :mod:`~ffnn.playground.server`: HTTP, the token and the other safety rules.

Differences from the API contract of the issue's brief (also in API-NOTES.md):

- CONFIG's defaults are the tutorial preset (``data``: blobs, 300 points, noise 0.1, seed 42,
  ``test_ratio`` 0; ``network.init`` "tutorial"). ``network.init`` is an extra field:
  ``"tutorial"`` (the tutorial's ``randn · 0.01`` from ``RandomState(seed)``) or ``"default"``
  (ffnn's own initialisation). For "blobs", ``cluster_std = 15 · noise``.
- RUN has an extra ``message`` (why a run diverged or stopped); DATA an extra ``loss``
  (the loss the run trains with).
- FRAME's ``units[].layer`` and ``weights[].layer`` count from 1 (hidden layer 1 is the
  first); ``curve.test`` holds ``null`` without test points.
- ``/api/explain`` answers also ``loss``; ``arrays`` are ``W1, b1, ..., dW1, db1, ...``.
- ``/api/upload`` takes the file's name from the ``X-FFNN-Filename`` header or ``?name=``.
- Errors answer ``{"error", "code"}``; 405 for a wrong method, 411 for a chunked body.
"""

from __future__ import annotations

import webbrowser

from ffnn.playground.server import PlaygroundServer

__all__ = ["PlaygroundServer", "serve"]


def serve(port: int = 0, open_browser: bool = False, host: str = "127.0.0.1") -> PlaygroundServer:
    """Start a playground server in a background thread and return it: ``server.url`` is
    the address with its token, ``server.shutdown()`` ends it. ``port=0`` picks a free port;
    ``host`` must be a loopback address."""
    server = PlaygroundServer(host, port).start()
    if open_browser:
        webbrowser.open(server.url)
    return server
