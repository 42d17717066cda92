"""Stand-ins the tests and the benchmarks share: a fake Slack (slack.py) and the installed `container-bot` run
as a process (process.py). No test framework in here: bench/ imports these after a plain `pip install .`."""
