"""govern's tests, a package so every test module imports shared code one way:
``from tests.support import …`` (pytest puts the repository root on ``sys.path`` because
``tests/`` and each folder in it are packages; nothing in the tests edits ``sys.path``)."""
