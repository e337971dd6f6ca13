"""Developer tools: benchmarks, search evaluation, synthetic data. Never imported by the product."""
