"""tiegraph: who among us can introduce me to this person, and how strong is that link."""

__version__ = "0.1.0"
