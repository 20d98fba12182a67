"""``python -m mentorkit.cli ...`` runs the ``mentorkit`` command."""
import sys

from mentorkit.cli import main

sys.exit(main())
