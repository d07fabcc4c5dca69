"""The workspace (contract §7.1): its settings row, its admins, invites and who may register."""
