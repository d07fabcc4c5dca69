"""The peers chatty is measured against (see bench/README.md)."""
