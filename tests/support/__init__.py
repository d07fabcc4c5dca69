"""Test helpers: real processes on free ports, real clients."""
