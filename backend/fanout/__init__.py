"""The fan-out port: channel names, every event and payload (`Notifier`)."""
