"""Node kinds of a program graph."""
