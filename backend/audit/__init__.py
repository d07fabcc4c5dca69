"""The audit log (contract §7.1): one hash-chained, append-only entry per admin, moderation and
security action. Kept low in the layers so that every feature can write its entry in the
transaction of its change."""
