"""The suite's benchmark harness: `make bench` runs `python -m bench.run`."""
