"""Entry point for `python -m tiegraph`."""

from tiegraph.cli import main

main()
