"""Scripts that print timings (not tests). Run each from the repository root as a module,
e.g. ``python -m benchmarks.bench_engines``, so they import ``govern`` and ``tests`` as packages."""
