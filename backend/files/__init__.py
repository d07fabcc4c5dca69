"""Files and images (contract §6): upload, storage port and adapters, signed serving, lifecycle."""
