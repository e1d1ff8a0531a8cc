"""ffnn's benchmark suite: ffnn against the tutorial's plain loop, scikit-learn and PyTorch.

Run it with ``python -m benchmarks.run`` (see ``benchmarks/README.md``).
"""
