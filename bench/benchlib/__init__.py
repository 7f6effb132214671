"""The library behind bench/'s entry points (run.py, quota.py, report.py): they parse their
options and call it. bench/README.md lists its modules and what each does.

Everything here but the charts (matplotlib, imported when a chart is drawn) is the standard
library, because the benches run with the system's python3 and the report with the bench venv's.
"""
