"""The gateway's half of every write: validate, authorise, admit, queue."""
