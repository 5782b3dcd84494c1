"""``python -m tests.reliability.kill_during_ingest N PATH…``: the real ``vorlagen ingest`` command,
killed with SIGKILL right after its N-th write of vectors to Chroma (before the registry records them).

The crash point is exact, so a test can show that a restart leaves no vectors the registry does not
know (``VorlagenStore.recover_pending``). Everything else is the real command, store and embedder.
"""

from __future__ import annotations

import os
import signal
import sys

from langchain_chroma import Chroma

from api.cli import app


def main(argv: list[str]) -> None:
    kill_after = int(argv[0])
    real_add_texts = Chroma.add_texts
    writes = 0

    def add_texts_then_die(self: Chroma, *args: object, **kwargs: object) -> list[str]:
        nonlocal writes
        ids = real_add_texts(self, *args, **kwargs)
        writes += 1
        if writes == kill_after:
            print(f"SIGKILL nach Schreibvorgang {writes}", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        return ids

    Chroma.add_texts = add_texts_then_die  # type: ignore[method-assign]
    app(["ingest", *argv[1:]], prog_name="vorlagen")


if __name__ == "__main__":
    main(sys.argv[1:])
