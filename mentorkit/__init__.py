"""mentorkit: research and coaching-skills training for mentoring programs."""
__version__ = "0.1.0"
