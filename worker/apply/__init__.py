"""The worker's half of every write: apply a batch, exactly once."""
