"""Courier: calling a node's Python methods from other nodes."""
