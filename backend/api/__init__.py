"""REST handlers, one module per feature."""
