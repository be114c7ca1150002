"""Tools for developers, apart from the pipeline: the synthetic district generator and the benchmarks."""
