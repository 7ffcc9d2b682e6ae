"""`careloop`: Django's manage.py for an installed careloop, plus demo, serve and worker."""

from __future__ import annotations

import os
import sys

DOCUMENTED_NAMES = {
    "check-deploy": "check_deploy",
    "import": "import_data",
    "export-organisation": "export_organisation",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careloop.settings.base")
    from django.core.management import execute_from_command_line

    arguments = list(sys.argv if argv is None else ["careloop", *argv])
    # Django's command names are module names: the documented spellings have hyphens, and
    # `import` is a Python keyword.
    if len(arguments) > 1 and arguments[1] in DOCUMENTED_NAMES:
        arguments[1] = DOCUMENTED_NAMES[arguments[1]]
    execute_from_command_line(arguments)


if __name__ == "__main__":
    main()
