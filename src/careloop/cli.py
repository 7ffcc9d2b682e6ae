"""`careloop`: Django's manage.py for an installed careloop, plus demo, serve and worker."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careloop.settings.base")
    from django.core.management import execute_from_command_line

    arguments = list(sys.argv if argv is None else ["careloop", *argv])
    # Django's command names are module names; the documented spelling has a hyphen.
    if len(arguments) > 1 and arguments[1] == "check-deploy":
        arguments[1] = "check_deploy"
    execute_from_command_line(arguments)


if __name__ == "__main__":
    main()
