"""Shapes: errors, input schemas, the wire's dicts, JSON; no feature knowledge."""
