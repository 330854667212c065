"""Say how long `make demo` took to serve its first page.

Started in the background by `make demo` with the time make started: waits for the page to
answer, prints the seconds since, and exits (or gives up after half an hour). Standard library
only: it runs before any virtual environment exists.
"""

import sys
import time
import urllib.request

GIVE_UP_AFTER = 1800.0


def main(url: str, started: float) -> int:
    deadline = time.monotonic() + GIVE_UP_AFTER
    while time.monotonic() < deadline:
        if answers(url):
            took = time.time() - started
            print(f"\nmake demo: {url} served its first page {took:.0f} s after make started\n")
            return 0
        time.sleep(0.5)
    return 1


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
