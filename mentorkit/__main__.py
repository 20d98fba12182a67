"""``python -m mentorkit ...`` runs the ``mentorkit`` command, like ``python -m mentorkit.cli``."""
import sys

from mentorkit.cli import main

sys.exit(main())
