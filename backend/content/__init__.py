"""Content rules: markdown rendering, then the nh3 policy."""
