"""``python -m behave_shell_native``: the same command line as ``behave-shell-native``."""

from __future__ import annotations

from behave_shell_native.cli import main

raise SystemExit(main())
