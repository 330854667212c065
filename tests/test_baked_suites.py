"""Each default bake's whole suite: Milvus Lite and SQLite, then a real Milvus server, MariaDB
and Redis that its fixtures start (missing ones fail the run rather than skip).

In a file of its own because pytest-xdist (make test, --dist loadfile) runs a file's tests in
one worker: two Milvus servers on one machine would share the ports of their embedded etcd, so
these suites run one after another while the other worker takes every other file.
"""

import pytest

from conftest import WORKING_DEMOS, Bake, assert_passed, run

DEFAULTS = [(demo, "defaults") for demo in WORKING_DEMOS]


@pytest.mark.parametrize("bake", DEFAULTS, indirect=True, ids=["-".join(v) for v in DEFAULTS])
def test_whole_suite_passes_on_lite_and_on_servers(bake: Bake) -> None:
    result = run(bake, "pytest", "-q", "-p", "no:cacheprovider", "-rA", TEST_REQUIRE_SERVICES="1")
    print(result.stdout[-20000:])
    assert_passed(result)
    for test in ("test_api.py::test_health_and_docs[servers]", "test_faults.py::test_"):
        assert f"PASSED tests/{test}" in result.stdout, f"{test} did not run"
