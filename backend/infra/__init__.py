"""Infrastructure: database, Redis, logs, metrics, rate limits, migrations."""
