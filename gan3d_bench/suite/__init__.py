"""Suites: experiments × seeds from one gin file, run with one command, resumable.

* ``spec``: the ``Suite`` gin configurable and the loading of suite files.
* ``plan``: every run's deterministic folder and state (new, resume, complete).
* ``driver``: running the plan with suite-wide progress, going on past failures.
"""

from gan3d_bench.suite.driver import SuiteReport, run_suite
from gan3d_bench.suite.plan import PlannedRun, plan_suite, suite_folder
from gan3d_bench.suite.spec import Suite, SuiteSpec, load_suite

__all__ = ["PlannedRun", "Suite", "SuiteReport", "SuiteSpec", "load_suite", "plan_suite",
           "run_suite", "suite_folder"]
