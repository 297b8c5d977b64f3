"""The benchmark: reference data at provincial scale (`bench_data`), the key
pages measured against their SQL floor (`bench`) and the results import
(`bench_import`). Kept out of the test suite; tests/clusters/test_bench.py
checks the harness on tiny data."""
