#!/usr/bin/env python
"""Django's command-line utility; `northstar` is the friendlier front door to the same commands."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "northstar.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
