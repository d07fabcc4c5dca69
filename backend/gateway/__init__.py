"""The gateway's wiring: `create_app` and what its handlers share."""
