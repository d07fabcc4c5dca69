"""Settings: the one typed `Settings` and its environment parsing."""
