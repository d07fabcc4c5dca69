"""The composition root: the only package that sees both the gateway and the worker."""
