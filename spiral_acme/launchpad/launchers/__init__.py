"""Launchers: run a Program with threads, processes or Ray actors."""
